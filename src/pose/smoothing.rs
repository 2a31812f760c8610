//! Temporal smoothing of keypoints with the One Euro filter (Casiez, Roussel
//! & Vogel, "1€ Filter: A Simple Speed-based Low-pass Filter for Noisy Input
//! in Interactive Systems", CHI 2012): a low-pass filter whose cutoff rises
//! with speed, so a still pose stops jittering and a moving one does not lag.

use super::keypoints::{Keypoint, Keypoints, NUM_KEYPOINTS};

/// Filter parameters, in units of the frame's longer side per second, so
/// that the same settings suit any resolution.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OneEuroConfig {
    /// Cutoff frequency at rest, Hz: lower = smoother when still.
    pub min_cutoff: f32,
    /// How fast the cutoff rises with speed: higher = less lag when moving.
    pub beta: f32,
    /// Cutoff for the speed estimate, Hz.
    pub d_cutoff: f32,
    /// A keypoint below this confidence is passed through and its filter
    /// restarted: no smoothing across what the model did not see.
    pub min_confidence: f32,
    /// A gap longer than this (seconds) restarts every filter.
    pub max_gap_s: f32,
}

impl Default for OneEuroConfig {
    fn default() -> Self {
        // Casiez et al. tune by setting beta = 0 and lowering min_cutoff
        // until jitter at rest is gone, then raising beta until lag in fast
        // moves is acceptable; these values do that for MoveNet at
        // 15-30 fps (about 0.5% of the frame of jitter at rest).
        OneEuroConfig {
            min_cutoff: 1.0,
            beta: 20.0,
            d_cutoff: 1.0,
            min_confidence: 0.2,
            max_gap_s: 0.5,
        }
    }
}

fn alpha(cutoff: f32, dt: f32) -> f32 {
    let tau = 1.0 / (2.0 * std::f32::consts::PI * cutoff);
    1.0 / (1.0 + tau / dt)
}

/// One scalar channel.
#[derive(Clone, Copy, Debug, Default)]
struct Channel {
    x: f32,
    dx: f32,
}

impl Channel {
    fn step(&mut self, value: f32, dt: f32, c: &OneEuroConfig) -> f32 {
        let raw_dx = (value - self.x) / dt;
        self.dx += alpha(c.d_cutoff, dt) * (raw_dx - self.dx);
        let cutoff = c.min_cutoff + c.beta * self.dx.abs();
        self.x += alpha(cutoff, dt) * (value - self.x);
        self.x
    }
}

/// Smooths a stream of poses from one camera or video.
#[derive(Clone, Debug)]
pub struct PoseSmoother {
    config: OneEuroConfig,
    /// Per keypoint: (x, y) filters, or None when restarted.
    state: [Option<(Channel, Channel)>; NUM_KEYPOINTS],
    last_t: Option<f64>,
}

impl PoseSmoother {
    pub fn new(config: OneEuroConfig) -> PoseSmoother {
        PoseSmoother {
            config,
            state: [None; NUM_KEYPOINTS],
            last_t: None,
        }
    }

    /// Forgets the past (a new person, a jump in the video).
    pub fn reset(&mut self) {
        self.state = [None; NUM_KEYPOINTS];
        self.last_t = None;
    }

    /// Smooths `kps`, seen at time `t` (seconds) in a frame whose longer
    /// side is `scale` pixels. Confidences pass through unchanged.
    pub fn smooth(&mut self, t: f64, kps: &Keypoints, scale: f32) -> Keypoints {
        let c = self.config;
        let scale = if scale.is_finite() && scale > 0.0 {
            scale
        } else {
            1.0
        };
        let dt = self.last_t.map(|last| (t - last) as f32);
        let gap = match dt {
            Some(dt) if dt.is_finite() && dt > 0.0 && dt <= c.max_gap_s => Some(dt),
            _ => None,
        };
        if gap.is_none() && dt.is_some_and(|dt| dt <= 0.0 || !dt.is_finite()) {
            // Time went backwards or stood still: keep the filters, pass
            // this frame through.
            return *kps;
        }
        if gap.is_none() {
            self.state = [None; NUM_KEYPOINTS];
        }
        self.last_t = Some(t);
        let mut out = *kps;
        for (i, kp) in kps.0.iter().enumerate() {
            let usable = kp.confidence >= c.min_confidence && kp.x.is_finite() && kp.y.is_finite();
            if !usable {
                self.state[i] = None;
                continue;
            }
            let (nx, ny) = (kp.x / scale, kp.y / scale);
            let (sx, sy) = match (&mut self.state[i], gap) {
                (Some((fx, fy)), Some(dt)) => (fx.step(nx, dt, &c), fy.step(ny, dt, &c)),
                (slot, _) => {
                    *slot = Some((Channel { x: nx, dx: 0.0 }, Channel { x: ny, dx: 0.0 }));
                    (nx, ny)
                }
            };
            out.0[i] = Keypoint {
                x: sx * scale,
                y: sy * scale,
                confidence: kp.confidence,
            };
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pose(x: f32, y: f32, conf: f32) -> Keypoints {
        Keypoints(
            [Keypoint {
                x,
                y,
                confidence: conf,
            }; NUM_KEYPOINTS],
        )
    }

    /// Deterministic noise in -1..1.
    fn noise(i: u32) -> f32 {
        let h = i
            .wrapping_mul(2_654_435_761)
            .rotate_left(13)
            .wrapping_mul(2_246_822_519);
        (h >> 8) as f32 / (1u32 << 23) as f32 - 1.0
    }

    #[test]
    fn a_still_pose_stays_put_and_jitter_shrinks() {
        let mut s = PoseSmoother::new(OneEuroConfig::default());
        let (mut raw_var, mut out_var) = (0.0, 0.0);
        for i in 0..300u32 {
            let n = 3.0 * noise(i);
            let out = s.smooth(i as f64 / 30.0, &pose(320.0 + n, 240.0, 0.9), 640.0);
            if i > 30 {
                raw_var += n * n;
                out_var += (out.0[0].x - 320.0).powi(2);
            }
            assert!((out.0[0].y - 240.0).abs() < 1e-3);
        }
        assert!(
            out_var < raw_var / 4.0,
            "jitter variance {raw_var} -> {out_var}"
        );
    }

    #[test]
    fn a_fast_move_is_followed_with_little_lag() {
        let mut s = PoseSmoother::new(OneEuroConfig::default());
        // Moving at a third of the frame per second, like a quick lean.
        let mut last = 0.0;
        for i in 0..60 {
            let x = 100.0 + i as f32 * (640.0 / 3.0 / 30.0);
            last = x - s.smooth(i as f64 / 30.0, &pose(x, 0.0, 0.9), 640.0).0[0].x;
        }
        assert!(last.abs() < 6.0, "lag {last} px");
    }

    #[test]
    fn unseen_keypoints_and_gaps_restart_the_filter() {
        let mut s = PoseSmoother::new(OneEuroConfig::default());
        s.smooth(0.0, &pose(100.0, 100.0, 0.9), 640.0);
        // Not seen: passed through as is.
        let out = s.smooth(0.033, &pose(500.0, 500.0, 0.05), 640.0);
        assert_eq!(out.0[3].x, 500.0);
        // Seen again far away: starts there, no slow glide from the past.
        let out = s.smooth(0.066, &pose(400.0, 400.0, 0.9), 640.0);
        assert_eq!(out.0[3].x, 400.0);
        // A two-second gap restarts everything too.
        let out = s.smooth(2.1, &pose(10.0, 10.0, 0.9), 640.0);
        assert_eq!(out.0[0].x, 10.0);
    }

    #[test]
    fn odd_times_and_values_do_not_panic_or_poison_the_filter() {
        let mut s = PoseSmoother::new(OneEuroConfig::default());
        s.smooth(1.0, &pose(100.0, 100.0, 0.9), 640.0);
        s.smooth(1.0, &pose(101.0, 100.0, 0.9), 640.0);
        s.smooth(0.5, &pose(102.0, 100.0, 0.9), 640.0);
        s.smooth(f64::NAN, &pose(f32::NAN, 100.0, 0.9), 0.0);
        let out = s.smooth(1.033, &pose(103.0, 100.0, 0.9), 640.0);
        assert!(out.0.iter().all(|k| k.x.is_finite() && k.y.is_finite()));
    }
}
