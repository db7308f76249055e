"""The stage camera as a pinhole: world points to pixels.

Camera space follows OpenCV: x right, y down, z forward along the optical axis.
Pixel (0, 0) is the top-left corner of the top-left pixel, so the principal point
is (width / 2, height / 2). Pixels are square: the horizontal field of view comes
from the focal length and the sensor width, and the vertical one from the image's
aspect (the sensor is read out at the image's shape).

Positive roll turns the camera clockwise about its optical axis, seen from behind
it, so the world turns counter-clockwise in the picture.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from shotline.model.stage import Camera

FloatArray = npt.NDArray[np.float64]
Affine = tuple[float, float, float]  # a * u + b * v + c over pixel coordinates


def camera_basis(camera: Camera) -> FloatArray:
    """World-to-camera rotation: rows are the camera's right, down and forward."""
    pan, tilt, roll = (math.radians(a) for a in (camera.pan, camera.tilt, camera.roll))
    forward = np.array([-math.sin(pan) * math.cos(tilt), math.cos(pan) * math.cos(tilt),
                        math.sin(tilt)])
    right0 = np.array([math.cos(pan), math.sin(pan), 0.0])  # level, whatever the tilt
    up0 = np.cross(right0, forward)
    cr, sr = math.cos(roll), math.sin(roll)
    right = right0 * cr - up0 * sr
    up = up0 * cr + right0 * sr
    return np.stack([right, -up, forward])


@dataclass(frozen=True, eq=False)
class CameraModel:
    """A camera resolved for one image size."""

    width: int
    height: int
    fx: float
    fy: float
    cx: float
    cy: float
    rotation: FloatArray  # world to camera, 3x3
    position: FloatArray  # in the world, metres
    near: float
    far: float

    @property
    def hfov_deg(self) -> float:
        return math.degrees(2 * math.atan(self.width / (2 * self.fx)))

    @property
    def vfov_deg(self) -> float:
        return math.degrees(2 * math.atan(self.height / (2 * self.fy)))

    def intrinsics(self) -> FloatArray:
        return np.array([[self.fx, 0.0, self.cx], [0.0, self.fy, self.cy], [0.0, 0.0, 1.0]])

    def extrinsics(self) -> FloatArray:
        """[R | t], world to camera: x_cam = R @ x_world + t."""
        t = -self.rotation @ self.position
        return np.concatenate([self.rotation, t[:, None]], axis=1)

    def to_camera(self, points: FloatArray) -> FloatArray:
        """(n, 3) world points to camera space."""
        return np.asarray((points - self.position) @ self.rotation.T, dtype=np.float64)

    def to_pixels(self, cam: FloatArray) -> FloatArray:
        """(n, 3) camera-space points, all in front of the camera, to (n, 2) pixels."""
        out = cam[:, :2] / cam[:, 2:3]
        out *= (self.fx, self.fy)
        out += (self.cx, self.cy)
        return out

    def inverse_depth_of(self, normal: FloatArray, cam_point: FloatArray) -> Affine | None:
        """1 / z over the image for the plane with this world normal through this
        camera-space point (see :meth:`inverse_depth_plane`)."""
        n = self.rotation @ normal
        d = float(n @ cam_point)
        if abs(d) < 1e-6:
            return None
        a = n[0] / (self.fx * d)
        b = n[1] / (self.fy * d)
        c = (n[2] - n[0] * self.cx / self.fx - n[1] * self.cy / self.fy) / d
        return (float(a), float(b), float(c))

    def inverse_depth_plane(self, cam_polygon: FloatArray) -> Affine | None:
        """1 / z over the image for the plane of a camera-space polygon.

        1 / z is exactly affine in pixel coordinates on a plane, so one linear ramp
        per polygon gives every pixel its true depth. None when the plane passes
        through the camera (it projects to a line).
        """
        p = cam_polygon
        q = np.roll(p, -1, axis=0)  # Newell's normal: robust for any planar polygon
        n = np.array([np.sum((p[:, 1] - q[:, 1]) * (p[:, 2] + q[:, 2])),
                      np.sum((p[:, 2] - q[:, 2]) * (p[:, 0] + q[:, 0])),
                      np.sum((p[:, 0] - q[:, 0]) * (p[:, 1] + q[:, 1]))])
        length = float(np.linalg.norm(n))
        if length < 1e-12:
            return None
        n /= length
        d = float(n @ p.mean(axis=0))
        if abs(d) < 1e-6:
            return None
        a = n[0] / (self.fx * d)
        b = n[1] / (self.fy * d)
        c = (n[2] - n[0] * self.cx / self.fx - n[1] * self.cy / self.fy) / d
        return (float(a), float(b), float(c))

    def world_ray(self, axis: int) -> Affine:
        """Component ``axis`` of the world direction through each pixel (scaled so
        that its camera-space z is 1): affine in pixel coordinates."""
        r = self.rotation
        a = r[0, axis] / self.fx
        b = r[1, axis] / self.fy
        c = r[2, axis] - r[0, axis] * self.cx / self.fx - r[1, axis] * self.cy / self.fy
        return (float(a), float(b), float(c))


def camera_model(camera: Camera, width: int, height: int) -> CameraModel:
    if width < 1 or height < 1:
        raise ValueError(f"image size must be positive, got {width}x{height}")
    sensor = camera.sensor_width_mm if camera.sensor_width_mm > 0 else 24.89
    focal = max(camera.focal_mm, 0.1)
    fx = focal / sensor * width
    near = camera.near if camera.near > 0 else 0.05
    return CameraModel(
        width=width, height=height, fx=fx, fy=fx, cx=width / 2, cy=height / 2,
        rotation=camera_basis(camera),
        position=np.array([camera.x, camera.y, camera.z], dtype=np.float64),
        near=near, far=max(camera.far, near * 2),
    )


def project_points(camera: Camera, points: npt.ArrayLike, width: int,
                   height: int) -> FloatArray:
    """World points (n, 3) to pixel coordinates (n, 2).

    A point at or behind the near plane has no image: its row is NaN. Points beside
    the frame keep their (out of range) coordinates.
    """
    model = camera_model(camera, width, height)
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 3)
    cam = model.to_camera(pts)
    out = np.full((len(pts), 2), np.nan)
    ahead = cam[:, 2] > model.near
    if ahead.any():
        out[ahead] = model.to_pixels(cam[ahead])
    return out


def clip_near(cam: FloatArray, near: float) -> FloatArray | None:
    """A camera-space polygon cut at the near plane; None when nothing is left."""
    inside = cam[:, 2] > near
    if inside.all():
        return cam
    if not inside.any():
        return None
    rows = cam.tolist()
    flags = inside.tolist()
    out: list[list[float]] = []
    n = len(rows)
    for i in range(n):
        a, b = rows[i], rows[(i + 1) % n]
        if flags[i]:
            out.append(a)
        if flags[i] != flags[(i + 1) % n]:
            t = (near - a[2]) / (b[2] - a[2])
            out.append([a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]), near])
    return np.array(out) if len(out) >= 3 else None


def clip_segment_near(a: Sequence[float], b: Sequence[float],
                      near: float) -> tuple[list[float], list[float]] | None:
    """A camera-space segment cut at the near plane."""
    if a[2] <= near and b[2] <= near:
        return None
    pa, pb = list(a), list(b)
    if pa[2] <= near or pb[2] <= near:
        t = (near - pa[2]) / (pb[2] - pa[2])
        cut = [pa[0] + t * (pb[0] - pa[0]), pa[1] + t * (pb[1] - pa[1]), near]
        if pa[2] <= near:
            pa = cut
        else:
            pb = cut
    return pa, pb


def camera_record(camera: Camera, model: CameraModel) -> dict[str, Any]:
    """The camera as JSON-able data, for the frame's sidecar."""
    sensor_h = camera.sensor_width_mm * model.height / model.width
    return {
        "position": [camera.x, camera.y, camera.z],
        "pan_deg": camera.pan,
        "tilt_deg": camera.tilt,
        "roll_deg": camera.roll,
        "focal_mm": camera.focal_mm,
        "sensor_width_mm": camera.sensor_width_mm,
        "sensor_height_mm": sensor_h,
        "hfov_deg": model.hfov_deg,
        "vfov_deg": model.vfov_deg,
        "width": model.width,
        "height": model.height,
        "near_m": model.near,
        "far_m": model.far,
        "intrinsics": model.intrinsics().tolist(),
        "extrinsics": model.extrinsics().tolist(),
        "convention": "OpenCV: camera x right, y down, z forward; world metres, z up; "
                      "pixel (0, 0) is the top-left corner of the image",
    }
