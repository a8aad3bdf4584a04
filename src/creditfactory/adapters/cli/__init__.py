"""Command-line interface (Typer + rich). Each module here that defines `register(app)` adds its
commands; `main.py` discovers them, so contexts add commands without editing a shared file."""
