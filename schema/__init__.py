"""The indicator's attributes: models and catalogue checks (reporting periods live in rules.calendar)."""
