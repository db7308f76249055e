"""The set: a room or vehicle for interiors, open ground to the horizon for exteriors,
sized from the words of the location and lit for the time of day.

The set runs from x = -width/2 to width/2 and from y = 0, its front edge (the open
fourth wall of a stage set, on the audience's side), to y = depth (the back wall, or
the horizon). The line between the two principals runs across it at y = LINE_Y, 1 m
upstage of the front edge. As on a stage set, cameras stand in front of the open
fourth wall, and nothing stops a high or overhead camera rising above the walls.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from shotline.model.breakdown import SceneBreakdown
from shotline.model.stage import ActorMark, PropMark, SetKind, SetPiece
from shotline.planning.cues import SCALE_TERMS

Size = tuple[float, float, float]  # width, depth, wall height

ROOM: Size = (6.0, 5.0, 2.8)  # a room nothing more is known about
GROUND = 60.0  # an exterior nothing more is known about
SCALE_GROUND = 120.0  # an exterior with a crowd, a storm, an army
MAX_GROUND = 200.0
CROWD = 12  # this many people make a scene one of scale
_CLEARANCE = (0.6, 3.0)  # around the outermost mark: interiors, exteriors

# Interiors by the word that names the space, smallest first. Vehicles seat everyone.
_ROOMS: tuple[tuple[frozenset[str], Size], ...] = tuple(
    (frozenset(words.split()), size) for words, size in (
        ("CLOSET CUPBOARD ELEVATOR LIFT BOOTH CUBICLE TOILET SHOWER STALL PHONEBOX",
         (1.8, 1.8, 2.4)),
        ("CAR TAXI CAB SEDAN JEEP SUV LIMO LIMOUSINE PICKUP HATCHBACK", (1.8, 2.6, 1.3)),  # seated
        ("VAN MINIVAN CAMPERVAN TRUCK LORRY AMBULANCE COCKPIT", (2.0, 3.6, 1.7)),  # seated
        ("BATHROOM WASHROOM RESTROOM LAVATORY WC", (2.8, 2.4, 2.5)),
        ("HUT SHED CELL CABIN WHEELHOUSE TENT ATTIC PANTRY STOREROOM CARAVAN", (3.5, 3.5, 2.5)),
        ("BEDROOM NURSERY STUDY DEN", (4.5, 4.0, 2.7)),
        ("KITCHEN OFFICE CLASSROOM WORKSHOP", (5.0, 4.5, 2.7)),
        ("LOUNGE LIVINGROOM SITTINGROOM DININGROOM STUDIO LAB LABORATORY CLINIC WARD "
         "APARTMENT FLAT HOUSE COTTAGE", (6.0, 5.0, 2.8)),
        ("HALLWAY CORRIDOR PASSAGE STAIRWELL STAIRS LANDING TUNNEL", (2.6, 10.0, 2.7)),
        ("BAR PUB CAFE DINER SHOP STORE RESTAURANT GARAGE LOFT CHAPEL STATIONHOUSE",
         (9.0, 8.0, 3.2)),
        ("LOBBY FOYER LIBRARY COURTROOM GALLERY MUSEUM CHAMBER", (12.0, 12.0, 4.0)),
        ("HALL WAREHOUSE CHURCH CATHEDRAL MARKET GYM GYMNASIUM FACTORY BARN THEATRE "
         "THEATER AUDITORIUM STATION TERMINAL MALL BALLROOM CANNERY SUPERMARKET MOSQUE "
         "TEMPLE SYNAGOGUE ARCHIVE", (20.0, 30.0, 8.0)),
        ("HANGAR STADIUM ARENA CAVERN", (40.0, 50.0, 15.0)),
    )
)
_SEATED = _ROOMS[1][0] | _ROOMS[2][0]  # the car and van rows: nobody stands up in them
_CRAMPED_WIDTH = 3.0  # rooms narrower than this pack people closer

# Exteriors: the width of ground the scene plays on (the depth matches).
_GROUNDS: tuple[tuple[frozenset[str], float], ...] = tuple(
    (frozenset(words.split()), size) for words, size in (
        ("STREET ALLEY GARDEN YARD BACKYARD COURTYARD PORCH BALCONY ROOFTOP ROOF DRIVEWAY "
         "CARPARK PARKINGLOT PLATFORM DOCK JETTY PIER BRIDGE STEPS DECK GRAVEYARD "
         "CEMETERY", 40.0),
        ("SQUARE PLAZA PARK MARKET QUAY HARBOUR HARBOR PORT MARINA BEACH SHORE VILLAGE TOWN "
         "CAMPUS FARM CAMP HILL FOREST WOODS RIVER BARGE RAFT ROAD", 80.0),
        ("SEA OCEAN DESERT FIELD FIELDS MOUNTAIN MOUNTAINS VALLEY PLAIN PLAINS MOOR MOORS "
         "CANYON COAST CLIFF CLIFFS HIGHWAY MOTORWAY BAY LAKE AIRFIELD RUNWAY BATTLEFIELD "
         "MOUTH", 150.0),
    )
)
_TWO_WORDS = {"LIVING ROOM": "LIVINGROOM", "SITTING ROOM": "SITTINGROOM",
              "DINING ROOM": "DININGROOM", "CAR PARK": "CARPARK", "PARKING LOT": "PARKINGLOT",
              "PHONE BOX": "PHONEBOX", "STATION HOUSE": "STATIONHOUSE"}

# Daylight: DAY, MORNING, NOON, AFTERNOON, and the hours the sky is still light enough
# to play as day (DAWN, SUNRISE, SUNSET, GOLDEN and MAGIC HOUR). Dusk, twilight, evening
# and pre-dawn play as night. A time that says neither (CONTINUOUS, LATER, none) is day.
_NIGHT = frozenset(
    ("NIGHT", "MIDNIGHT", "EVENING", "DUSK", "TWILIGHT", "NIGHTFALL", "PREDAWN", "DARK"))
_WORD = re.compile(r"[A-Z0-9]+")


def _words(text: str) -> list[str]:
    upper = text.upper().replace("'", "").replace("PRE-DAWN", "PREDAWN")
    for pair, joined in _TWO_WORDS.items():
        upper = upper.replace(pair, joined)
    return _WORD.findall(upper)


def daylight(time_of_day: str | None) -> bool:
    return not set(_words(time_of_day or "")) & _NIGHT


@dataclass(frozen=True, slots=True)
class Place:
    """What kind of space a scene plays in, before it is fitted to the marks."""

    kind: SetKind
    width: float
    depth: float
    height: float
    seated: bool  # a car, a van, a cockpit: everyone sits
    cramped: bool  # people stand closer than in a room

    @property
    def spacing(self) -> float:
        """Shoulder to shoulder between neighbours, mark to mark."""
        return 0.65 if self.cramped else 0.9

    @property
    def conversation(self) -> float:
        """How far apart the two principals stand, mark to mark."""
        return 1.2 if self.cramped else 1.5


def _parts_last_first(location: str) -> Iterable[list[str]]:
    """The location's parts from the most specific ('HOUSE - KITCHEN': KITCHEN first),
    each part's words from its head noun (the last word) back."""
    for part in reversed(location.split(" - ")):
        yield list(reversed(_words(part)))


def _room(location: str) -> tuple[Size, bool] | None:
    for words in _parts_last_first(location):
        for word in words:
            for names, size in _ROOMS:
                if word in names:
                    return size, word in _SEATED
    return None


def _ground(location: str) -> float | None:
    for words in _parts_last_first(location):
        for word in words:
            for names, size in _GROUNDS:
                if word in names:
                    return size
    return None


def is_scale(scene: SceneBreakdown, people: int) -> bool:
    """A crowd, an army, a storm: the breakdown lists it, or the scene is crowded."""
    listed = any(term in SCALE_TERMS for category in ("extras", "special_effects",
                                                      "visual_effects")
                 for term in scene.elements.get(category, ()))
    return listed or people >= CROWD


def place_of(scene: SceneBreakdown, scale: bool) -> Place:
    """INT and INT/EXT play in a room or vehicle (an INT/EXT is the inside of a car or a
    room with the exterior seen through it); EXT on open ground. A heading without INT or
    EXT is an interior unless its location names only open ground."""
    location = scene.location or ""
    room = _room(location)
    exterior = scene.int_ext == "EXT" or (
        scene.int_ext not in ("INT", "INT/EXT") and room is None
        and _ground(location) is not None)
    if exterior:
        ground = _ground(location) or GROUND
        if scale:
            ground = min(MAX_GROUND, max(SCALE_GROUND, 2 * ground))
        return Place("exterior", ground, ground, 0.0, seated=False, cramped=False)
    (width, depth, height), seated = room or (ROOM, False)
    return Place("interior", width, depth, height, seated=seated,
                 cramped=seated or width < _CRAMPED_WIDTH)


def build_set(scene: SceneBreakdown, place: Place, actors: Sequence[ActorMark],
              props: Sequence[PropMark]) -> SetPiece:
    """The set, grown where the marks need more room than the location suggests."""
    clearance = _CLEARANCE[place.kind == "exterior"]
    xs = [m.x for m in actors] + [p.x for p in props]
    ys = [m.y for m in actors] + [p.y for p in props]
    width = max(place.width, 2 * (max(map(abs, xs), default=0.0) + clearance))
    depth = max(place.depth, max(ys, default=0.0) + clearance)
    return SetPiece(kind=place.kind, location=scene.location, width=round(width, 3),
                    depth=round(depth, 3), height=place.height,
                    daylight=daylight(scene.time_of_day), time_of_day=scene.time_of_day)
