//! Synthetic stick figures with known angles, for assessment tests.
#![allow(dead_code)]

use posturecam::pose::{Joint, Keypoint, Keypoints};

pub const SEEN: f32 = 0.9;
pub const HIDDEN: f32 = 0.05;

fn rad(d: f32) -> f32 {
    d.to_radians()
}

/// A person seen from the side. `facing` is +1 (faces the image's right, so
/// their right side is towards the camera) or -1. Angles in degrees:
/// `trunk` hip→shoulder from vertical (+ forward), `neck` shoulder→ear from
/// vertical (+ forward), `thigh` hip→knee from vertical-down (+ forward),
/// `knee` flexion, `arm` upper arm against the trunk (+ forward), `elbow`
/// flexion.
#[derive(Clone, Copy, Debug)]
pub struct Side {
    pub facing: f32,
    pub trunk: f32,
    pub neck: f32,
    pub thigh: f32,
    pub knee: f32,
    pub arm: f32,
    pub elbow: f32,
}

impl Side {
    pub fn sitting(facing: f32) -> Side {
        Side {
            facing,
            trunk: 5.0,
            neck: 5.0,
            thigh: 90.0,
            knee: 90.0,
            arm: 10.0,
            elbow: 80.0,
        }
    }
    pub fn standing(facing: f32) -> Side {
        Side {
            facing,
            trunk: 3.0,
            neck: 3.0,
            thigh: 0.0,
            knee: 3.0,
            arm: 5.0,
            elbow: 10.0,
        }
    }

    pub fn keypoints(&self) -> Keypoints {
        use Joint::*;
        let s = self.facing;
        let dir = |from_down: f32, len: f32, o: (f32, f32)| {
            (
                o.0 + len * s * rad(from_down).sin(),
                o.1 + len * rad(from_down).cos(),
            )
        };
        let hip = (400.0, 500.0);
        let sh = (
            hip.0 + 200.0 * s * rad(self.trunk).sin(),
            hip.1 - 200.0 * rad(self.trunk).cos(),
        );
        let ear = (
            sh.0 + 70.0 * s * rad(self.neck).sin(),
            sh.1 - 70.0 * rad(self.neck).cos(),
        );
        let nose = (ear.0 + 30.0 * s, ear.1 + 8.0);
        let eye = (ear.0 + 20.0 * s, ear.1 - 6.0);
        let knee = dir(self.thigh, 170.0, hip);
        let ankle = dir(self.thigh - self.knee, 160.0, knee);
        let elbow = dir(self.arm - self.trunk, 110.0, sh);
        let wrist = dir(self.arm - self.trunk + self.elbow, 100.0, elbow);
        let near = |l: Joint, r: Joint| if s > 0.0 { (r, l) } else { (l, r) };
        let mut k = Keypoints::default();
        let mut put = |j: Joint, p: (f32, f32), c: f32| {
            k.0[j as usize] = Keypoint {
                x: p.0,
                y: p.1,
                confidence: c,
            }
        };
        put(Nose, nose, SEEN);
        for (l, r, p) in [
            (LeftEye, RightEye, eye),
            (LeftEar, RightEar, ear),
            (LeftShoulder, RightShoulder, sh),
            (LeftElbow, RightElbow, elbow),
            (LeftWrist, RightWrist, wrist),
            (LeftHip, RightHip, hip),
            (LeftKnee, RightKnee, knee),
            (LeftAnkle, RightAnkle, ankle),
        ] {
            let (n, f) = near(l, r);
            put(n, p, SEEN);
            put(f, (p.0 - 6.0 * s, p.1), HIDDEN);
        }
        k
    }
}

/// A person facing the camera (their left on the image's right). Degrees:
/// `tilt` + left shoulder higher, `lean` + trunk leaning to their left,
/// `roll` + left ear higher.
#[derive(Clone, Copy, Debug)]
pub struct Front {
    pub tilt: f32,
    pub lean: f32,
    pub roll: f32,
    /// Hips (and legs) visible.
    pub hips: bool,
    /// Head scale (1 = as calibrated) and drop of the head towards the
    /// shoulders in pixels.
    pub head_scale: f32,
    pub head_drop: f32,
}

impl Front {
    pub fn upright() -> Front {
        Front {
            tilt: 0.0,
            lean: 0.0,
            roll: 0.0,
            hips: true,
            head_scale: 1.0,
            head_drop: 0.0,
        }
    }

    pub fn keypoints(&self) -> Keypoints {
        use Joint::*;
        let sh = (320.0f32, 260.0f32);
        let hw = 90.0;
        let t = rad(self.tilt).tan() * hw;
        let (ls, rs) = ((sh.0 + hw, sh.1 - t), (sh.0 - hw, sh.1 + t));
        let hip = (
            sh.0 - 200.0 * rad(self.lean).sin(),
            sh.1 + 200.0 * rad(self.lean).cos(),
        );
        let g = self.head_scale;
        let head = (sh.0, sh.1 - 110.0 * g + self.head_drop);
        let r = rad(self.roll);
        let rot = |dx: f32, dy: f32| {
            (
                head.0 + g * (dx * r.cos() + dy * r.sin()),
                head.1 + g * (-dx * r.sin() + dy * r.cos()),
            )
        };
        let mut k = Keypoints::default();
        let mut put = |j: Joint, p: (f32, f32), c: f32| {
            k.0[j as usize] = Keypoint {
                x: p.0,
                y: p.1,
                confidence: c,
            }
        };
        put(Nose, rot(0.0, 15.0), SEEN);
        put(LeftEye, rot(18.0, 0.0), SEEN);
        put(RightEye, rot(-18.0, 0.0), SEEN);
        put(LeftEar, rot(40.0, 5.0), SEEN);
        put(RightEar, rot(-40.0, 5.0), SEEN);
        put(LeftShoulder, ls, SEEN);
        put(RightShoulder, rs, SEEN);
        put(LeftElbow, (ls.0 + 10.0, ls.1 + 120.0), SEEN);
        put(RightElbow, (rs.0 - 10.0, rs.1 + 120.0), SEEN);
        put(LeftWrist, (ls.0 - 20.0, ls.1 + 200.0), SEEN);
        put(RightWrist, (rs.0 + 20.0, rs.1 + 200.0), SEEN);
        let hc = if self.hips { SEEN } else { HIDDEN };
        put(LeftHip, (hip.0 + 60.0, hip.1), hc);
        put(RightHip, (hip.0 - 60.0, hip.1), hc);
        put(LeftKnee, (hip.0 + 65.0, hip.1 + 180.0), hc);
        put(RightKnee, (hip.0 - 65.0, hip.1 + 180.0), hc);
        put(LeftAnkle, (hip.0 + 65.0, hip.1 + 350.0), hc);
        put(RightAnkle, (hip.0 - 65.0, hip.1 + 350.0), hc);
        k
    }
}

/// The keypoints as the model would label them in the mirrored image:
/// x flipped about `width`, left and right swapped.
pub fn mirrored(k: &Keypoints, width: f32) -> Keypoints {
    let mut out = *k;
    for i in 0..17 {
        let j = if i == 0 {
            0
        } else if i % 2 == 1 {
            i + 1
        } else {
            i - 1
        };
        let src = k.0[i];
        out.0[j] = Keypoint {
            x: width - src.x,
            ..src
        };
    }
    out
}

pub fn transformed(k: &Keypoints, scale: f32, dx: f32, dy: f32) -> Keypoints {
    let mut out = *k;
    for kp in out.0.iter_mut() {
        kp.x = kp.x * scale + dx;
        kp.y = kp.y * scale + dy;
    }
    out
}
