from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..auth.views import admin_required
from . import bp, services
from .forms import ShopSettingsForm


@bp.route("/", methods=["GET", "POST"])
@admin_required
def edit_settings():
    form = ShopSettingsForm(data={
        "shop_name": services.get_setting(services.SHOP_NAME),
        "reminder_template": services.get_setting(services.REMINDER_TEMPLATE)})
    # A repeated submission (double tap) gets the first one's answer, not "no changes".
    outcome = form.earlier_result() if form.is_submitted() else None
    if outcome is None:
        if not form.validate_on_submit():
            status = 422 if request.method == "POST" else 200
            return render_template("settings/edit.html", form=form), status
        changed = services.set_setting(services.SHOP_NAME, form.shop_name.data.strip())
        changed |= services.set_setting(services.REMINDER_TEMPLATE, form.reminder_template.data)
        outcome = form.commit_once(lambda: int(changed))
    flash(_("Ajustes guardados.") if outcome == "1" else _("No había cambios que guardar."))
    return redirect(url_for(".edit_settings"))
