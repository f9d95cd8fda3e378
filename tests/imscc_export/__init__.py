"""Tests of the cartridge export, its validator and the competency framework exports."""
