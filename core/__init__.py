"""The ground floor: what every package may import; imports nothing of the project."""
