"""An XML element with its child elements grouped by tag: what the other modules read from."""

from __future__ import annotations

from lxml import etree


class Node:
    """An element with its child elements grouped by tag, read in one pass (``find`` per field
    is the slow part of a large file)."""

    __slots__ = ("element", "groups")

    def __init__(self, element: etree._Element | None) -> None:
        self.element = element
        self.groups: dict[str, list[etree._Element]] = {}
        if element is not None:
            for child in element.iterchildren(etree.Element):
                self.groups.setdefault(child.tag, []).append(child)

    def all(self, tag: str) -> list[Node]:
        return [Node(element) for element in self.groups.get(tag, [])]

    def first(self, tag: str) -> etree._Element | None:
        found = self.groups.get(tag)
        return found[0] if found else None

    def text(self, tag: str) -> str | None:
        """Trimmed text of the first child element with this tag; absent or blank is None."""
        found = self.first(tag)
        if found is None or found.text is None:
            return None
        return found.text.strip() or None

    @property
    def line(self) -> int | None:
        return None if self.element is None else self.element.sourceline
