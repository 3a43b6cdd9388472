"""Read an admin change form from its page as a browser would submit it: what an editor
has open in a tab, to change and post later."""

from html.parser import HTMLParser

TEXT_INPUTS = {"text", "hidden", "number", "email", "url", "date", "time", "password", ""}


class _FormReader(HTMLParser):
    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside = form_id, False
        self.data = {}
        self.textarea = self.select = None

    def _add(self, name, value):
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "").lower()
            if kind in TEXT_INPUTS:
                self._add(name, attrs.get("value") or "")
            elif kind in {"checkbox", "radio"} and "checked" in attrs:
                self._add(name, attrs.get("value") or "on")
        elif tag == "textarea" and name:
            self.textarea = name
            self._add(name, "")
        elif tag == "select" and name:
            self.select = {"name": name, "multiple": "multiple" in attrs, "first": None}
        elif tag == "option" and self.select is not None:
            value = attrs.get("value", "")
            if self.select["first"] is None:
                self.select["first"] = value
            if "selected" in attrs:
                self._add(self.select["name"], value)

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self.textarea is not None:
            # A newline just after the start tag belongs to the markup, not to the text.
            text = self.data[self.textarea]
            text[-1] = text[-1].removeprefix("\n")
            self.textarea = None
        elif tag == "select" and self.select is not None:
            select = self.select
            # A single choice with none marked sends its first option, as browsers do.
            if not select["multiple"] and select["name"] not in self.data:
                self._add(select["name"], select["first"] or "")
            self.select = None

    def handle_data(self, data):
        if self.textarea is not None:
            self.data[self.textarea][-1] += data


def form_data(response, model_name):
    """The change form of ``model_name`` on the page, as POST data ({name: [values]})."""
    reader = _FormReader(f"{model_name}_form")
    reader.feed(response.content.decode())
    return reader.data
