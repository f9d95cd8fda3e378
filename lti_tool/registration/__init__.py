"""Registering the tool with a platform: the manual configuration page and LTI Dynamic Registration."""
