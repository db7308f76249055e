"""The coverage grammar: the shots a director plans for a scene, and the beat each is for.

Every scene gets a master; a new place or a jump in time gets an establishing shot
first. Dialogue between two principals is covered with over-the-shoulders that
tighten to clean singles, all from one side of the line between them; three or more
speakers get a single each and a group shot. Action beats get what they point at: a
reaction, the wide view for scale, a character's entrance, a POV, an insert, a camera
move, or the people they name. Shot notes in the screenplay add the director's shots.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

from shotline.breakdown.characters import introductions, key, named_in
from shotline.breakdown.lexicon import base
from shotline.breakdown.pagination import WIDTH, wrapped_lines
from shotline.model.breakdown import CATEGORIES, SceneBreakdown
from shotline.model.script import Element, ElementType
from shotline.model.shots import Angle, Framing, Movement, ShotSize, ShotSource
from shotline.planning.beats import Beat, BeatKind
from shotline.planning.cues import DISTANT, SCALE_TERMS, ActionCues, Verb, read_action, tokenize
from shotline.planning.drafts import Draft, Rank, Role
from shotline.planning.lenses import lens_for
from shotline.planning.notes import NoteSpec, ShotNoteError, is_shot_note, parse_shot_note
from shotline.planning.pronouns import People, pronoun
from shotline.planning.setups import Setups, eyelines, main_location, screen_order

T = ElementType
S = ShotSize

# Times of day that continue the scene before rather than jump from it.
CONTINUITY = frozenset({"CONTINUOUS", "SAME", "SAME TIME", "MOMENTS LATER", "LATER"})
_CLOSE = frozenset({S.MWS, S.MS, S.MCU, S.CU, S.ECU})
_SHORT_PROP_BEAT = 4  # printed lines: a longer paragraph is about more than the thing in hand
_SCALE_CATEGORIES = ("extras", "special_effects", "visual_effects")


@cache
def _stems(term: str) -> tuple[str, ...]:
    return tuple(base(t.word) for t in tokenize(term))


def time_jumps(before: str | None, now: str | None) -> bool:
    return bool(before and now and before != now
                and before not in CONTINUITY and now not in CONTINUITY)


def needs_establishing(scene: SceneBreakdown, previous: SceneBreakdown | None) -> bool:
    """A new place, or the same place at a new time of day, is established first."""
    if not scene.location:
        return False  # nothing to establish
    if previous is None:
        return True
    if main_location(scene.location) != main_location(previous.location):
        return True
    return time_jumps(previous.time_of_day, scene.time_of_day)


@dataclass
class Coverage:
    drafts: list[Draft]  # in order of creation
    preferred: list[Draft | None]  # per beat: the shot the planner cuts to
    sides: dict[str, str]  # speaker -> where they look on screen ("left", "right")
    pair: tuple[str, str] | None  # two principals, screen left first
    warnings: list[str] = field(default_factory=list)


class _Planner:
    def __init__(self, scene: SceneBreakdown, elements: Sequence[Element],
                 beats: Sequence[Beat], previous: SceneBreakdown | None) -> None:
        self.scene = scene
        self.elements = elements
        self.beats = beats
        self.preferred: list[Draft | None] = [None] * len(beats)
        self.warnings: list[str] = []

        # Who speaks on screen, in order of their first line.
        count: dict[str, int] = {}
        for beat in beats:
            if beat.kind is BeatKind.SPEECH and beat.speakers and not beat.off_screen:
                count[beat.speakers[0]] = count.get(beat.speakers[0], 0) + 1
            elif beat.kind is BeatKind.DUAL:
                for name in beat.speakers:
                    count.setdefault(name, 0)
        self.count = count
        self.speakers = tuple(count)
        self.pair = (self.speakers[0], self.speakers[1]) if len(self.speakers) == 2 else None
        self.group_mode = len(self.speakers) >= 3
        self.setups = Setups(eyelines(self.speakers))

        self.present = tuple(dict.fromkeys((*scene.characters, *self.speakers)))
        self.known = {key(n): n for n in self.present if key(n)}
        self.people = People(self.known)
        self.things = tuple(dict.fromkeys(
            t for c in CATEGORIES for t in scene.elements.get(c, ())))
        self.props: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for term in scene.elements.get("props", ()):
            stems = _stems(term)
            if stems:
                self.props.setdefault(stems[0], []).append((stems, term))
        for options in self.props.values():
            options.sort(key=lambda o: -len(o[0]))

        self.cues: dict[int, ActionCues] = {}
        self.named: dict[int, list[str]] = {}
        for k, beat in enumerate(beats):
            if beat.kind is BeatKind.ACTION:
                cues = self.cues[k] = read_action(beat.text)
                self.named[k] = named_in(beat.text, self.known)
                self.people.learn(cues.tokens)
        sheet_scale = any(t in SCALE_TERMS for c in _SCALE_CATEGORIES
                          for t in scene.elements.get(c, ()))
        self.scale = sheet_scale or any(c.scale for c in self.cues.values())
        self.aerial = any(c.aerial for c in self.cues.values())
        moving = "MOVING" in (p.strip() for p in scene.location.split(" - "))
        self.notes = self._note_targets()
        # Which of its speaker's lines each speech is, among those the planner cuts.
        self.ordinal: dict[int, int] = {}
        self.routed: dict[str, int] = {}
        for k, beat in enumerate(beats):
            if (k and k not in self.notes and beat.kind is BeatKind.SPEECH and beat.speakers
                    and not beat.off_screen):
                name = beat.speakers[0]
                self.ordinal[k] = self.routed.get(name, 0)
                self.routed[name] = self.ordinal[k] + 1
        self.recent: list[str] = []  # characters by how recently they were named or spoke
        self.last_speaker: str | None = None
        # Made first, so they are lettered first: A establishes the place, B is the master.
        self.establishing = (
            self.setups.establishing(scene, self.scale, self.aerial, moving)
            if needs_establishing(scene, previous) else None)
        self.master = self.setups.master(
            self.present, scene.int_ext in ("EXT", "INT/EXT") or self.scale, moving)

    # Who does what --------------------------------------------------------------------

    def _touch(self, names: Sequence[str]) -> None:
        for name in names:
            if name in self.recent:
                self.recent.remove(name)
            self.recent.append(name)

    def _agent(self, text: str, start: int, end: int) -> str | None:
        """Who does what text[end:] says: the sentence's first name before it (its
        subject: "Teo passes Mei across, shoves..."), or whom a pronoun there stands for."""
        before = text[start:end]
        found = named_in(before, self.known)
        if found:
            return found[0]
        return self.people.resolve(pronoun(t.word for t in tokenize(before)), self.recent)

    def _subjects(self, k: int, beat: Beat) -> list[str]:
        """The characters an action beat is about: those it names, else the one its
        first sentence calls he or she."""
        if self.named[k]:
            return self.named[k]
        words = [t.word for t in self.cues[k].tokens if t.sentence == 0]
        found = self.people.resolve(pronoun(words), self.recent)
        return [found] if found else []

    def _find_prop(self, cues: ActionCues, pointed_only: bool, short: bool) -> str | None:
        """The first of the scene's props in the beat; with pointed_only, the first the
        action points at: written in capitals, or in hand in a short paragraph."""
        tokens = cues.tokens
        stems = [base(t.word) for t in tokens] if self.props else []
        for i, stem in enumerate(stems):
            for phrase, term in self.props.get(stem, ()):
                if tuple(stems[i:i + len(phrase)]) != phrase:
                    continue
                caps = all(t.caps for t in tokens[i:i + len(phrase)])
                if not pointed_only or caps or (short and i in cues.handled):
                    return term
                break
        return None

    # Beats ----------------------------------------------------------------------------

    def _people(self, names: Sequence[str], angle: Angle) -> Draft:
        if len(names) == 1:
            return self.setups.single(names[0], S.MS, angle)
        if len(names) == 2:
            return self.setups.two_shot(names[0], names[1], angle)
        if self.group_mode:
            return self.setups.group(self.speakers)
        return self.master

    def _scale(self) -> Draft:
        if self.establishing is not None and self.establishing.movement is Movement.CRANE:
            return self.establishing
        return self.setups.scale(main_location(self.scene.location), self.aerial)

    def _move(self, beat: Beat, movement: Movement, mover: Verb, angle: Angle) -> Draft:
        who = self._agent(beat.text, mover.sentence_start, mover.start)
        return self.setups.move(movement, (who,) if who else (), angle, mover.word)

    def _look(self, k: int, beat: Beat, cues: ActionCues) -> Draft | None:
        look = cues.look
        if look is None:
            return None
        view = [t.word for t in tokenize(look.view)]
        stems = {base(w) for w in view}
        thing = next((term for options in self.props.values() for phrase, term in options
                      if stems.issuperset(phrase)), None)
        looker = self._agent(beat.text, look.sentence_start, look.verb_start)
        if looker is None:
            # Nobody we can name looks, but what is looked at can still be shown.
            return self.setups.insert(thing) if thing else None
        words = view if len(view) > 1 else [t.word for t in cues.tokens]
        size = S.CU if thing else S.WS if any(w in DISTANT for w in words) else S.MS
        return self.setups.pov(looker, look.view, size)

    def _action(self, k: int, beat: Beat, listener: str | None) -> Draft:
        """In order: scale, a first appearance, a prop written in capitals, a reaction to
        the line before, a look, a prop in hand, a camera move, the people named."""
        cues = self.cues[k]
        names = self.named[k]
        angle = cues.angle or Angle.EYE_LEVEL
        lines = wrapped_lines(beat.text, WIDTH[T.ACTION])
        if cues.scale:
            return self._scale()
        if names and introductions([beat.text]):
            return self._people(names, angle)
        flagged = self._find_prop(cues, pointed_only=True, short=False)
        if flagged is not None:
            return self.setups.insert(flagged)
        if listener is not None and (listener in names or (
                lines <= 1 and all(n == listener for n in self._subjects(k, beat)))):
            return self.setups.single(listener, S.CU, angle)
        looked = self._look(k, beat, cues)
        if looked is not None:
            return looked
        held = self._find_prop(cues, pointed_only=True, short=lines <= _SHORT_PROP_BEAT)
        if held is not None:
            return self.setups.insert(held)
        if cues.mover is not None and cues.movement is not None:
            return self._move(beat, cues.movement, cues.mover, angle)
        subjects = self._subjects(k, beat)
        if subjects:
            return self._people(subjects, angle)
        return self.master

    def _speech(self, k: int, beat: Beat, previous: Draft | None) -> Draft:
        speaker = beat.speakers[0] if beat.speakers else None
        if beat.off_screen or speaker is None:
            # A voice from outside the frame plays over the picture already on screen.
            if (previous is not None and previous.rank >= Rank.SPECIFIC
                    and previous.role not in (Role.ESTABLISHING, Role.SCALE)):
                return previous
            return self.master
        if self.pair is not None:
            other = self.pair[1] if speaker == self.pair[0] else self.pair[0]
            ots = self.setups.ots(speaker, other)
            ots.cover(beat.indexes)
            # A line whose shot note could not be made was not counted: it goes wide.
            first_half = (self.routed.get(speaker, 0) + 1) // 2
            if self.ordinal.get(k, 0) < first_half:
                return ots
            return self.setups.single(speaker, S.CU)  # tighter as the scene goes on
        if self.group_mode and not self.setups.has("group") and (
                self.count[speaker] > 1 or max(self.count.values()) <= 1):
            return self.setups.group(self.speakers)  # open the conversation on the group
        return self.setups.single(speaker, S.MCU)

    def _lyrics(self) -> Draft:
        singer = self.recent[-1] if self.recent else None
        for d in self.setups.drafts:
            if (d.framing is Framing.SINGLE and d.subjects == (singer,)
                    and d.rank == Rank.SPECIFIC):
                return d
        return self.master

    def _listener(self, speaker: str) -> str | None:
        if self.pair is not None:
            return self.pair[1] if speaker == self.pair[0] else self.pair[0]
        if self.group_mode:
            return self.last_speaker if self.last_speaker != speaker else None
        others = [n for n in self.present if n != speaker]
        return others[0] if len(others) == 1 else None

    # Shot notes -------------------------------------------------------------------------

    def _note_targets(self) -> dict[int, NoteSpec]:
        """Each shot note covers the next beat, or the paragraph it is written inside;
        notes in a row take the beats after it in turn."""
        ends = [max(b.indexes) for b in self.beats]
        beat_of = {i: k for k, b in enumerate(self.beats) for i in b.indexes}
        targets: dict[int, NoteSpec] = {}
        for i, e in enumerate(self.elements):
            if not is_shot_note(e):
                continue
            try:
                spec = parse_shot_note(e.text, e.line, self.present, self.things)
            except ShotNoteError as exc:
                self.warnings.append(str(exc))
                continue
            host = self.elements[i - 1] if i else None
            if (host is not None and i - 1 in beat_of
                    and e.line <= host.line + host.text.count("\n")):
                target = beat_of[i - 1]
            else:
                target = bisect_right(ends, i)
            while target in targets:
                target += 1
            if target >= len(self.beats):
                self.warnings.append(
                    f"line {e.line}: shot note '{spec.text}' - no line or action after it "
                    "to cover")
                continue
            targets[target] = spec
        return targets

    def _note_shot(self, spec: NoteSpec, k: int, beat: Beat) -> Draft | None:
        if beat.speakers and not beat.off_screen:
            who: str | None = beat.speakers[0]
        elif k in self.named:
            subjects = self._subjects(k, beat)
            who = subjects[0] if subjects else None
        else:
            who = self.recent[-1] if self.recent else None
        size, framing = spec.size, spec.framing
        subjects = list(spec.subjects)
        if size is S.INSERT:
            thing = spec.thing
            if thing is None and k in self.cues:
                thing = self._find_prop(self.cues[k], pointed_only=False, short=True)
            if thing is None:
                self.warnings.append(f"line {spec.line}: shot note '{spec.text}' - an insert "
                                     "needs a thing to show, e.g. 'insert compass'")
                return None
            subjects = [thing]
        elif not subjects and spec.thing is not None:
            subjects = [spec.thing]
            size = size or S.INSERT
        elif not subjects:
            close = (size in _CLOSE or framing in (Framing.SINGLE, Framing.OTS, Framing.POV)
                     or (size is None and framing is None and spec.movement is None))
            if framing is Framing.TWO_SHOT:
                subjects = list(self.pair or self.present[:2])
            elif close and who is not None:
                subjects = [who]
            else:
                subjects = list(self.present)
        if framing is None:
            framing = (Framing.SINGLE if size is S.INSERT or len(subjects) == 1 else
                       Framing.TWO_SHOT if len(subjects) == 2 else Framing.GROUP)
        if size is None:
            size = {Framing.POV: S.MS, Framing.OTS: S.MCU, Framing.SINGLE: S.MCU,
                    Framing.TWO_SHOT: S.MS}.get(framing, S.WS)
        sides = self.setups.sides
        shoulder = spec.shoulder
        if framing is Framing.OTS and shoulder is None and self.pair and subjects:
            shoulder = next((n for n in self.pair if n != subjects[0]), None)
        two = screen_order(subjects[0], subjects[1], sides) if (
            framing is Framing.TWO_SHOT and len(subjects) == 2) else None
        eyeline = (sides.get(subjects[0])
                   if framing in (Framing.SINGLE, Framing.OTS) and subjects else None)
        return self.setups.add(Draft(
            size, framing, spec.angle or Angle.EYE_LEVEL, spec.movement or Movement.STATIC,
            spec.lens_mm or lens_for(size), two or tuple(subjects), Rank.NOTE,
            source=ShotSource.NOTE, shoulder=shoulder if framing is Framing.OTS else None,
            eyeline=eyeline, sides=two))

    # The walk ---------------------------------------------------------------------------

    def _route(self, k: int, beat: Beat, listener: str | None, previous: Draft | None
               ) -> Draft:
        """The planner's pick for a beat no shot note claims."""
        if k == 0:
            return self.establishing or self.master
        if k == 1 and previous is self.establishing and beat.kind is BeatKind.ACTION:
            return self.master  # from the place to the people in it
        if beat.kind is BeatKind.ACTION:
            return self._action(k, beat, listener)
        if beat.kind is BeatKind.SPEECH:
            return self._speech(k, beat, previous)
        if beat.kind is BeatKind.DUAL and len(beat.speakers) >= 2:
            return self.setups.two_shot(beat.speakers[0], beat.speakers[1])
        if beat.kind is BeatKind.LYRICS:
            return self._lyrics()
        return self.master

    def plan(self) -> Coverage:
        listener: str | None = None  # who should react to the line just said
        previous: Draft | None = None
        for k, beat in enumerate(self.beats):
            spec = self.notes.get(k)
            pick = self._note_shot(spec, k, beat) if spec is not None else None
            if pick is None:
                pick = self._route(k, beat, listener, previous)
            pick.cover(beat.indexes)
            self.preferred[k] = pick
            previous = pick
            listener = None
            if beat.kind is BeatKind.ACTION:
                self._touch(self._subjects(k, beat))
            elif beat.kind is BeatKind.SPEECH and beat.speakers and not beat.off_screen:
                speaker = beat.speakers[0]
                self._touch((speaker,))
                if beat.strong:
                    listener = self._listener(speaker)
                self.last_speaker = speaker
        for beat in self.beats:
            self.master.cover(beat.indexes)
        return Coverage(self.setups.drafts, self.preferred, self.setups.sides, self.pair,
                        self.warnings)


def build_coverage(scene: SceneBreakdown, elements: Sequence[Element], beats: Sequence[Beat],
                   previous: SceneBreakdown | None = None) -> Coverage:
    """The planner's shots for a scene, in order of creation, and its pick for each beat."""
    return _Planner(scene, elements, beats, previous).plan()
