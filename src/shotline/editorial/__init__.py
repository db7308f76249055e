"""Editorial: the edit as an OpenTimelineIO timeline, its exports (OTIO, EDL, FCP XML,
FCPXML, AAF), the editor's cut conformed back into the plan, USD stages for previs,
and shot lists for production trackers."""
