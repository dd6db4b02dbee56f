from pos_notes import create_app

app = create_app()
