//! The review window's state without the window: the clips (loading,
//! ready or failed), which repetition of each is chosen, how the clips are
//! aligned, and the players. The views in `ui::review` only read it and
//! report what the user asked for.

use std::sync::Arc;

use super::player::{default_rep, offsets, timeline, ClipTimes, Player};
use super::ClipAnalysis;

/// One clip of the review.
#[derive(Clone, Debug)]
pub enum ClipSlot {
    /// Being analysed: frames done, and the total when the container
    /// states it.
    Loading {
        name: String,
        done: usize,
        total: Option<u64>,
    },
    Ready(Arc<ClipAnalysis>),
    Failed {
        name: String,
        error: String,
    },
}

impl ClipSlot {
    pub fn name(&self) -> &str {
        match self {
            ClipSlot::Loading { name, .. } | ClipSlot::Failed { name, .. } => name,
            ClipSlot::Ready(c) => &c.source,
        }
    }
}

/// The review's state: clips, alignment and playback.
#[derive(Clone, Debug)]
pub struct ReviewModel {
    slots: Vec<ClipSlot>,
    linked: bool,
    chosen: Vec<Option<usize>>,
    offsets: Vec<f64>,
    shared: Player,
    own: Vec<Player>,
    looping: bool,
}

fn times_of(c: &ClipAnalysis) -> ClipTimes {
    ClipTimes::new(c.frames.iter().map(|f| f.t_s).collect(), c.info.fps)
}

impl ReviewModel {
    /// Clips aligned (linked) by default, each at its first full repetition.
    pub fn new(slots: Vec<ClipSlot>) -> ReviewModel {
        let n = slots.len();
        let mut m = ReviewModel {
            slots,
            linked: true,
            chosen: vec![None; n],
            offsets: vec![0.0; n],
            shared: Player::new(vec![], 0.0),
            own: vec![Player::new(vec![], 0.0); n],
            looping: false,
        };
        for i in 0..n {
            m.chosen[i] = m.default_choice(i);
        }
        m.rebuild();
        m
    }

    fn default_choice(&self, i: usize) -> Option<usize> {
        let c = self.ready(i)?;
        default_rep(&c.reps.iter().map(|r| r.partial).collect::<Vec<_>>())
    }

    pub fn len(&self) -> usize {
        self.slots.len()
    }
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }
    pub fn slot(&self, i: usize) -> Option<&ClipSlot> {
        self.slots.get(i)
    }
    pub fn ready(&self, i: usize) -> Option<&ClipAnalysis> {
        match self.slots.get(i)? {
            ClipSlot::Ready(c) => Some(c),
            _ => None,
        }
    }
    /// True when no clip is still loading.
    pub fn settled(&self) -> bool {
        !self
            .slots
            .iter()
            .any(|s| matches!(s, ClipSlot::Loading { .. }))
    }

    /// Replaces clip `i`'s state (progress, result). A clip that becomes
    /// ready gets its default repetition and the timeline is rebuilt.
    pub fn set_slot(&mut self, i: usize, slot: ClipSlot) {
        let Some(s) = self.slots.get_mut(i) else {
            return;
        };
        let became_ready = matches!(slot, ClipSlot::Ready(_)) && !matches!(s, ClipSlot::Ready(_));
        *s = slot;
        if became_ready {
            self.chosen[i] = self.default_choice(i);
            self.rebuild();
        }
    }

    /// Recomputes offsets and players from the ready clips, keeping the
    /// cursor, speed and playing where possible.
    fn rebuild(&mut self) {
        let ready: Vec<usize> = (0..self.slots.len())
            .filter(|&i| self.ready(i).is_some())
            .collect();
        let times: Vec<ClipTimes> = ready
            .iter()
            .filter_map(|&i| self.ready(i).map(times_of))
            .collect();
        let bottoms: Vec<Option<f64>> = ready
            .iter()
            .map(|&i| {
                let c = self.ready(i)?;
                c.reps.get(self.chosen[i]?).map(|r| r.bottom_s)
            })
            .collect();
        let off = offsets(&times, &bottoms, true);
        self.offsets = vec![0.0; self.slots.len()];
        for (k, &i) in ready.iter().enumerate() {
            self.offsets[i] = off[k];
        }
        let (events, end) = timeline(&times, &off);
        let old = self.shared.clone();
        self.shared = Player::new(events, end);
        self.shared.seek(old.time());
        self.shared.set_speed(old.speed());
        self.shared.looping = self.looping;
        for (k, &i) in ready.iter().enumerate() {
            if self.own[i].end_s() == 0.0 && self.own[i].last_s() == 0.0 {
                self.own[i] = Player::for_clip(&times[k]);
                self.own[i].looping = self.looping;
            }
        }
    }

    /// Whether the clips move together on one transport.
    pub fn linked(&self) -> bool {
        self.linked
    }

    /// Links or unlinks the clips, each keeping the frame it shows.
    pub fn set_linked(&mut self, on: bool) {
        if on == self.linked {
            return;
        }
        if on {
            let t0 = self.own.first().map(|p| p.time()).unwrap_or(0.0);
            self.shared
                .seek(t0 + self.offsets.first().copied().unwrap_or(0.0));
        } else {
            for i in 0..self.slots.len() {
                let t = self.shared.time() - self.offsets[i];
                self.own[i].seek(t);
            }
        }
        for p in self.players_mut() {
            p.set_playing(false);
        }
        self.linked = on;
    }

    /// The repetition of clip `i` the clips are aligned at.
    pub fn chosen(&self, i: usize) -> Option<usize> {
        self.chosen.get(i).copied().flatten()
    }

    /// Aligns at repetition `k` of clip `i`, and shows the aligned bottoms.
    pub fn choose_rep(&mut self, i: usize, k: usize) {
        let Some(bottom) = self
            .ready(i)
            .and_then(|c| c.reps.get(k))
            .map(|r| r.bottom_s)
        else {
            return;
        };
        self.chosen[i] = Some(k);
        self.rebuild();
        self.seek_clip(i, bottom);
    }

    /// Clip `i`'s offset on the shared timeline (clip time = timeline −
    /// offset).
    pub fn offset(&self, i: usize) -> f64 {
        self.offsets.get(i).copied().unwrap_or(0.0)
    }

    /// True when two or more clips are aligned at chosen repetitions.
    pub fn aligned_at_reps(&self) -> bool {
        let ready: Vec<usize> = (0..self.len())
            .filter(|&i| self.ready(i).is_some())
            .collect();
        ready.len() > 1 && ready.iter().all(|&i| self.chosen(i).is_some())
    }

    /// The transport that moves clip `i`.
    pub fn player(&self, i: usize) -> &Player {
        if self.linked {
            &self.shared
        } else {
            self.own.get(i).unwrap_or(&self.shared)
        }
    }

    /// The shared transport (linked mode).
    pub fn shared(&self) -> &Player {
        &self.shared
    }

    pub fn player_mut(&mut self, i: usize) -> &mut Player {
        if self.linked || i >= self.own.len() {
            &mut self.shared
        } else {
            &mut self.own[i]
        }
    }

    /// The transports in use: the shared one when linked, else each clip's.
    pub fn players_mut(&mut self) -> Vec<&mut Player> {
        if self.linked {
            vec![&mut self.shared]
        } else {
            self.own.iter_mut().collect()
        }
    }

    pub fn set_looping(&mut self, on: bool) {
        self.looping = on;
        self.shared.looping = on;
        for p in &mut self.own {
            p.looping = on;
        }
    }
    pub fn looping(&self) -> bool {
        self.looping
    }

    /// Clip `i`'s own time at the cursor (may lie before its first frame
    /// or after its last when aligned).
    pub fn clip_time(&self, i: usize) -> f64 {
        if self.linked {
            self.shared.time() - self.offset(i)
        } else {
            self.own.get(i).map(|p| p.time()).unwrap_or(0.0)
        }
    }

    /// Position in clip `i`'s frames of the frame shown.
    pub fn position(&self, i: usize) -> Option<usize> {
        Some(self.ready(i)?.frame_at(self.clip_time(i)))
    }

    /// Moves so that clip `i` shows its time `t`.
    pub fn seek_clip(&mut self, i: usize, t: f64) {
        let off = self.offset(i);
        if self.linked {
            self.shared.seek(t + off);
        } else if let Some(p) = self.own.get_mut(i) {
            p.seek(t);
        }
    }

    /// Pauses and shows clip `i`'s frame with decoding index `index`.
    pub fn jump_to_frame(&mut self, i: usize, index: usize) {
        let Some(t) = self.ready(i).and_then(|c| {
            let pos = c.position_of(index);
            c.frames.get(pos).map(|f| f.t_s)
        }) else {
            return;
        };
        self.player_mut(i).set_playing(false);
        self.seek_clip(i, t);
    }

    /// The clip's worst frame: that of the repetition with the highest
    /// REBA (ties: the most trunk flexion); with no repetition, the frame
    /// with the highest REBA. None when nothing was scored.
    pub fn clip_worst_frame(&self, i: usize) -> Option<usize> {
        let c = self.ready(i)?;
        if let Some(r) = c.reps.iter().max_by(|a, b| {
            (a.reba_max.unwrap_or(0), a.peak_trunk_flexion_deg)
                .partial_cmp(&(b.reba_max.unwrap_or(0), b.peak_trunk_flexion_deg))
                .unwrap_or(std::cmp::Ordering::Equal)
        }) {
            return Some(r.worst_frame);
        }
        let mut best: Option<(u8, usize)> = None;
        for f in &c.frames {
            if let Some(r) = f.assessment.as_ref().and_then(|a| a.lifting.reba) {
                if best.is_none_or(|(b, _)| r > b) {
                    best = Some((r, f.index));
                }
            }
        }
        best.map(|(_, i)| i)
    }

    /// Advances the transports in use by `dt_s` of wall time; true when
    /// something moved.
    pub fn tick(&mut self, dt_s: f64) -> bool {
        let mut moved = false;
        for p in self.players_mut() {
            moved |= p.tick(dt_s);
        }
        moved
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::assess::reps::{Grade, Repetition};
    use crate::assess::LiftStyle;
    use crate::capture::VideoInfo;
    use crate::review::ClipFrame;

    pub(crate) fn rep(
        start: usize,
        bottom: usize,
        end: usize,
        fps: f64,
        partial: bool,
    ) -> Repetition {
        let t = |f: usize| f as f64 / fps;
        Repetition {
            start_s: t(start),
            bottom_s: t(bottom),
            end_s: t(end),
            duration_s: t(end) - t(start),
            start_frame: start,
            bottom_frame: bottom,
            end_frame: end,
            worst_frame: bottom + 1,
            peak_trunk_flexion_deg: Some(70.0),
            knee_flexion_at_bottom_deg: Some(30.0),
            style: LiftStyle::Stoop,
            reba_max: Some(8),
            asymmetry_deg: None,
            partial,
            grade: Grade::Poor,
            cue: "bend your knees more: your back angle peaked at 70°".into(),
        }
    }

    /// A clip of `n` frames at `fps` with no picture, pose or assessment.
    pub(crate) fn clip(name: &str, n: usize, fps: f64, reps: Vec<Repetition>) -> ClipAnalysis {
        ClipAnalysis {
            source: name.into(),
            info: VideoInfo {
                codec: "h264".into(),
                coded_width: 64,
                coded_height: 48,
                rotation_deg: 0,
                width: 64,
                height: 48,
                fps: Some(fps),
                duration_s: Some(n as f64 / fps),
                frames: Some(n as u64),
            },
            width: 64,
            height: 48,
            frames: (0..n)
                .map(|i| ClipFrame {
                    index: i,
                    t_s: i as f64 / fps,
                    pose: None,
                    assessment: None,
                    jpeg: vec![],
                })
                .collect(),
            samples: vec![],
            reps,
            warnings: vec![],
            model: "test".into(),
        }
    }

    fn ready(c: ClipAnalysis) -> ClipSlot {
        ClipSlot::Ready(Arc::new(c))
    }

    #[test]
    fn one_clip_steps_frame_by_frame_and_jumps_to_frames() {
        let mut m = ReviewModel::new(vec![ready(clip(
            "a",
            20,
            10.0,
            vec![rep(4, 8, 12, 10.0, false)],
        ))]);
        assert_eq!(m.position(0), Some(0));
        m.player_mut(0).step(true);
        assert_eq!(m.position(0), Some(1));
        m.jump_to_frame(0, 8);
        assert_eq!(m.position(0), Some(8));
        assert!((m.clip_time(0) - 0.8).abs() < 1e-9);
        assert_eq!(m.clip_worst_frame(0), Some(9));
        m.player_mut(0).set_playing(true);
        m.tick(0.35);
        assert_eq!(m.position(0), Some(11));
    }

    #[test]
    fn two_clips_show_their_chosen_bottoms_together_and_can_be_unlinked() {
        // A: bottom of its first full rep at frame 25 (2.5 s); B's first
        // rep is partial, its second full one bottoms at frame 10 (1.0 s).
        let a = clip("a", 40, 10.0, vec![rep(20, 25, 30, 10.0, false)]);
        let b = clip(
            "b",
            40,
            10.0,
            vec![rep(0, 2, 5, 10.0, true), rep(6, 10, 14, 10.0, false)],
        );
        let mut m = ReviewModel::new(vec![ready(a), ready(b)]);
        assert_eq!((m.chosen(0), m.chosen(1)), (Some(0), Some(1)));
        assert!(m.aligned_at_reps());
        assert_eq!((m.offset(0), m.offset(1)), (0.0, 1.5));
        m.jump_to_frame(0, 25);
        assert_eq!((m.position(0), m.position(1)), (Some(25), Some(10)));
        // Before B starts, it waits on its first frame.
        m.jump_to_frame(0, 5);
        assert_eq!(m.position(1), Some(0));
        // Choose B's partial rep instead: its bottom (frame 2) meets A's.
        m.choose_rep(1, 0);
        assert!((m.offset(1) - 2.3).abs() < 1e-9);
        assert_eq!((m.position(0), m.position(1)), (Some(25), Some(2)));
        // Unlinked: each keeps its frame, and steps alone.
        m.set_linked(false);
        assert_eq!((m.position(0), m.position(1)), (Some(25), Some(2)));
        m.player_mut(1).step(true);
        assert_eq!((m.position(0), m.position(1)), (Some(25), Some(3)));
        // Linked again from clip A's frame.
        m.set_linked(true);
        assert_eq!((m.position(0), m.position(1)), (Some(25), Some(2)));
    }

    #[test]
    fn a_clip_without_lifts_starts_with_the_other() {
        let a = clip("a", 40, 10.0, vec![rep(20, 25, 30, 10.0, false)]);
        let b = clip("b", 10, 10.0, vec![]);
        let m = ReviewModel::new(vec![ready(a), ready(b)]);
        assert!(!m.aligned_at_reps());
        assert_eq!((m.offset(0), m.offset(1)), (0.0, 0.0));
        assert_eq!(m.clip_worst_frame(1), None);
    }

    #[test]
    fn loading_then_ready_builds_the_timeline() {
        let mut m = ReviewModel::new(vec![ClipSlot::Loading {
            name: "a.mp4".into(),
            done: 0,
            total: None,
        }]);
        assert!(!m.settled());
        assert_eq!(m.position(0), None);
        m.set_slot(0, ready(clip("a.mp4", 5, 10.0, vec![])));
        assert!(m.settled());
        m.player_mut(0).to_end();
        assert_eq!(m.position(0), Some(4));
        m.set_slot(
            0,
            ClipSlot::Failed {
                name: "x".into(),
                error: "bad".into(),
            },
        );
        assert_eq!(m.position(0), None);
        assert_eq!(m.slot(0).map(|s| s.name()), Some("x"));
    }
}
