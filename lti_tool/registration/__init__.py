"""Registering the tool with a platform: the configuration page and LTI Dynamic Registration."""
