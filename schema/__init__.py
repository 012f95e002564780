"""The indicator's attributes: models, catalogue checks and reporting periods."""
