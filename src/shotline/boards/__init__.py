"""Storyboard documents: the contact sheet and an image per shot."""

from shotline.boards.contact_sheet import Panel, SheetScene, contact_sheet

__all__ = ["Panel", "SheetScene", "contact_sheet"]
