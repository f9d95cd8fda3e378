"""The portfolio's forms (Flask-WTF: every form carries the CSRF token)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (HiddenField, IntegerField, RadioField, SelectMultipleField, StringField,
                     SubmitField, TextAreaField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from lti_tool.portfolio.services import (COMMENT_MAX_LENGTH, JUSTIFICATION_MAX_LENGTH,
                                         TITLE_MAX_LENGTH)


def level_labels() -> list[tuple[int, str]]:
    """The 4-level scale of the self-assessment, in the page's language."""
    return [(1, _l("Beginning")), (2, _l("Developing")), (3, _l("Proficient")),
            (4, _l("Mastered"))]


class RatingForm(FlaskForm):
    level = RadioField(_l("Level"), coerce=int,
                       choices=[SelectChoice(value, label) for value, label in level_labels()],
                       validators=[InputRequired(_l("Choose a level."))])
    justification = TextAreaField(
        _l("Justification"),
        validators=[DataRequired(_l("Say briefly why you choose this level.")),
                    Length(max=JUSTIFICATION_MAX_LENGTH,
                           message=_l("The justification is too long (2000 characters at most)."))])
    next = HiddenField()


class EntryForm(FlaskForm):
    title = StringField(_l("Title"), validators=[
        DataRequired(_l("Give the entry a title.")),
        Length(max=TITLE_MAX_LENGTH,
               message=_l("The title is too long (300 characters at most)."))])
    body = TextAreaField(_l("Text"))
    version = IntegerField(validators=[Optional(), NumberRange(min=1)])
    save = SubmitField(_l("Save the draft"))
    publish = SubmitField(_l("Save and publish"))


class EvidenceForm(FlaskForm):
    file = FileField(_l("File"), validators=[FileRequired(_l("Choose a file."))])


class ShareForm(FlaskForm):
    recipients = SelectMultipleField(_l("Share with"), coerce=int, choices=[],
                                     validate_choice=False)


class WithdrawForm(FlaskForm):
    recipient = IntegerField(validators=[InputRequired()])


class CommentForm(FlaskForm):
    body = TextAreaField(_l("Comment"), validators=[
        DataRequired(_l("Write a comment first.")),
        Length(max=COMMENT_MAX_LENGTH, message=_l("The comment is too long."))])
    parent = IntegerField(validators=[Optional()])


class DeleteForm(FlaskForm):
    """A button-only form (delete an evidence file)."""
