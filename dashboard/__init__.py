"""The Streamlit console (控制台)."""
