"""The previs renderer: a staged shot to a storyboard frame, with the depth and pose
images and the camera data that image models and later stages need.

    from shotline.render import render_stage, RenderedFrame
    frame = render_stage(stage, appearances)          # 960 x 540 by default
    frame.image, frame.depth, frame.pose              # PNG bytes
    frame.camera                                      # JSON-able camera record
"""

from shotline.render.frame import RenderedFrame, render_stage
from shotline.render.pose import COCO18_COLOURS, COCO18_LIMBS, KEYPOINTS
from shotline.render.projection import project_points

__all__ = [
    "COCO18_COLOURS",
    "COCO18_LIMBS",
    "KEYPOINTS",
    "RenderedFrame",
    "project_points",
    "render_stage",
]
