"""LTI 1.3 protocol glue: registrations, tool keys, login and launch validation, services.

The rest of the tool calls this package through a few named functions; pylti1p3 is used only here.
"""
