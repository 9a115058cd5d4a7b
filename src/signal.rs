//! Filters for time series sampled at (possibly uneven) frame times.
//!
//! Analysis runs offline on a whole clip, so the default smoother is a
//! zero-phase Butterworth low-pass: it adds no lag, which matters when a
//! fault is timed against the bar. The one-euro filter is the causal option
//! (and what MediaPipe uses to steady its tracking crop).

use serde::{Deserialize, Serialize};

/// How a keypoint or bar track is smoothed over time. Applied separately to
/// every gap-free stretch: a filter must not smear a value across a gap.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Smoothing {
    /// No smoothing.
    None,
    /// Zero-phase (forward-backward) 2nd-order Butterworth low-pass.
    /// 6 Hz keeps the 0.5-3 Hz of a lift and the fastest bar accelerations
    /// (rise times near 0.15 s) while removing frame-to-frame keypoint
    /// jitter; the forward-backward pass makes the -6 dB point `cutoff_hz`.
    Butterworth { cutoff_hz: f64 },
    /// One-euro filter (Casiez et al. 2012): cutoff rises with speed.
    OneEuro {
        min_cutoff_hz: f64,
        beta: f64,
        d_cutoff_hz: f64,
    },
    /// Constant-acceleration Kalman filter, run forward and then smoothed
    /// backward (Rauch-Tung-Striebel). Unlike a fixed low-pass it weighs
    /// each sample by its own precision: a sharply measured stretch is
    /// followed closely (a bar's short speed bump keeps its height), while
    /// estimated samples and gaps are carried by the motion model. Only
    /// for tracks whose samples come with a precision (the bar's); the
    /// motion model's white jerk has spectral density `jerk_psd` in
    /// m^2/s^5.
    Kalman { jerk_psd: f64 },
}

impl Default for Smoothing {
    fn default() -> Self {
        Smoothing::Butterworth { cutoff_hz: 6.0 }
    }
}

impl Smoothing {
    /// Smooth `values` sampled at `times`; `None` entries are gaps and stay
    /// gaps. The Kalman kind needs each sample's precision, so it is
    /// applied here as if every sample were equally good (1 unit) with the
    /// jerk in units^2/s^5; use [`Smoothing::kinematics`] for it.
    pub fn apply(&self, times: &[f64], values: &[Option<f64>]) -> Vec<Option<f64>> {
        let motion = self.kinematics(times, values, &vec![1.0; values.len()], 1.0);
        motion.into_iter().map(|m| m.map(|m| m.pos)).collect()
    }

    /// Smoothed position, velocity and acceleration of `values`, given
    /// each sample's standard error `sigma` (same unit as the values;
    /// infinite: no measurement, the value only holds the stretch
    /// together) and `metres_per_unit` to express `jerk_psd` in the
    /// values' unit. The low-pass kinds ignore both and differentiate the
    /// smoothed positions; the Kalman kind returns its own velocity and
    /// acceleration, which a central difference would flatten at a peak.
    pub fn kinematics(
        &self,
        times: &[f64],
        values: &[Option<f64>],
        sigma: &[f64],
        metres_per_unit: f64,
    ) -> Vec<Option<Motion>> {
        let mut out = vec![None; values.len()];
        for (start, end) in stretches(values) {
            let xs: Vec<f64> = values[start..end].iter().map(|v| v.unwrap_or(0.0)).collect();
            let ts = &times[start..end];
            let low_pass = match *self {
                Smoothing::None => xs,
                Smoothing::Butterworth { cutoff_hz } => butterworth_zero_phase(ts, &xs, cutoff_hz),
                Smoothing::OneEuro {
                    min_cutoff_hz,
                    beta,
                    d_cutoff_hz,
                } => {
                    let mut f = OneEuro::new(min_cutoff_hz, beta, d_cutoff_hz);
                    ts.iter().zip(&xs).map(|(&t, &x)| f.filter(t, x, 1.0)).collect()
                }
                Smoothing::Kalman { jerk_psd } => {
                    let q = jerk_psd / (metres_per_unit * metres_per_unit);
                    let prior = [10.0 / metres_per_unit, 100.0 / metres_per_unit];
                    let states = rts_constant_acceleration(ts, &xs, &sigma[start..end], q, prior);
                    for (o, [pos, vel, acc]) in out[start..end].iter_mut().zip(states) {
                        *o = Some(Motion { pos, vel, acc });
                    }
                    continue;
                }
            };
            let vel = derivative(ts, &low_pass);
            let acc = derivative(ts, &vel);
            for (k, o) in out[start..end].iter_mut().enumerate() {
                *o = Some(Motion {
                    pos: low_pass[k],
                    vel: vel[k],
                    acc: acc[k],
                });
            }
        }
        out
    }
}

/// One sample of a smoothed track: position, and its first and second
/// time derivatives (units, units/s, units/s^2).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Motion {
    pub pos: f64,
    pub vel: f64,
    pub acc: f64,
}

/// Half-open index ranges of consecutive `Some` values.
pub fn stretches<T>(values: &[Option<T>]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, v) in values.iter().enumerate() {
        match (v.is_some(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, values.len()));
    }
    out
}

/// Fill gaps no longer than `max_gap_s` by linear interpolation between the
/// values either side. Returns the filled series and which entries were filled.
pub fn fill_short_gaps(times: &[f64], values: &[Option<f64>], max_gap_s: f64) -> (Vec<Option<f64>>, Vec<bool>) {
    let mut out = values.to_vec();
    let mut filled = vec![false; values.len()];
    let runs = stretches(values);
    for pair in runs.windows(2) {
        let (a_end, b_start) = (pair[0].1, pair[1].0);
        let (i0, i1) = (a_end - 1, b_start);
        let (t0, t1) = (times[i0], times[i1]);
        if t1 - t0 > max_gap_s + 1e-9 {
            continue;
        }
        let (v0, v1) = (values[i0].unwrap_or(0.0), values[i1].unwrap_or(0.0));
        for i in a_end..b_start {
            let w = (times[i] - t0) / (t1 - t0);
            out[i] = Some(v0 + (v1 - v0) * w);
            filled[i] = true;
        }
    }
    (out, filled)
}

/// Forward-backward 2nd-order Butterworth. Uneven frame times are treated at
/// their mean rate (phone VFR jitter is a few percent); stretches too short
/// to filter are returned as they are.
pub fn butterworth_zero_phase(times: &[f64], xs: &[f64], cutoff_hz: f64) -> Vec<f64> {
    let n = xs.len();
    if n < 7 || cutoff_hz <= 0.0 {
        return xs.to_vec();
    }
    let fs = (n - 1) as f64 / (times[n - 1] - times[0]).max(1e-9);
    let fc = cutoff_hz.min(0.45 * fs);
    let k = (std::f64::consts::PI * fc / fs).tan();
    let q = std::f64::consts::SQRT_2;
    let norm = 1.0 / (1.0 + q * k + k * k);
    let b0 = k * k * norm;
    let (b1, b2) = (2.0 * b0, b0);
    let a1 = 2.0 * (k * k - 1.0) * norm;
    let a2 = (1.0 - q * k + k * k) * norm;
    // Odd reflection at both ends keeps the ends from being pulled to zero.
    let pad = (n - 1).min(12);
    let mut ext = Vec::with_capacity(n + 2 * pad);
    ext.extend((1..=pad).rev().map(|i| 2.0 * xs[0] - xs[i]));
    ext.extend_from_slice(xs);
    ext.extend((1..=pad).map(|i| 2.0 * xs[n - 1] - xs[n - 1 - i]));
    let run = |v: &mut Vec<f64>| {
        let (mut x1, mut x2, mut y1, mut y2) = (v[0], v[0], v[0], v[0]);
        for s in v.iter_mut() {
            let x0 = *s;
            let y0 = b0 * x0 + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
            x2 = x1;
            x1 = x0;
            y2 = y1;
            y1 = y0;
            *s = y0;
        }
    };
    run(&mut ext);
    ext.reverse();
    run(&mut ext);
    ext.reverse();
    ext[pad..pad + n].to_vec()
}

/// Kalman filter with state (position, velocity, acceleration) driven by
/// white jerk of spectral density `q`, then the Rauch-Tung-Striebel
/// backward pass, so every estimate uses the whole stretch. `sigma[k]` is
/// sample k's standard error; a non-finite one skips its update; `[v_sd,
/// a_sd]` is the prior spread of the first velocity and acceleration. Returns
/// the smoothed (position, velocity, acceleration) per sample; with no
/// usable sample, the positions as they are and no motion.
pub fn rts_constant_acceleration(
    times: &[f64],
    xs: &[f64],
    sigma: &[f64],
    q: f64,
    [v_sd, a_sd]: [f64; 2],
) -> Vec<[f64; 3]> {
    type M3 = [[f64; 3]; 3];
    let n = xs.len();
    let usable = |k: usize| sigma[k].is_finite() && sigma[k] > 0.0;
    let Some(first) = (0..n).find(|&k| usable(k)) else {
        return xs.iter().map(|&x| [x, 0.0, 0.0]).collect();
    };
    let mul = |a: &M3, b: &M3| -> M3 {
        let mut c = [[0.0; 3]; 3];
        for i in 0..3 {
            for j in 0..3 {
                c[i][j] = (0..3).map(|k| a[i][k] * b[k][j]).sum();
            }
        }
        c
    };
    let transpose = |a: &M3| -> M3 {
        let mut t = [[0.0; 3]; 3];
        for i in 0..3 {
            for j in 0..3 {
                t[i][j] = a[j][i];
            }
        }
        t
    };
    let apply = |a: &M3, v: &[f64; 3]| -> [f64; 3] {
        let mut r = [0.0; 3];
        for i in 0..3 {
            r[i] = (0..3).map(|k| a[i][k] * v[k]).sum();
        }
        r
    };
    let transition = |dt: f64| -> M3 { [[1.0, dt, dt * dt / 2.0], [0.0, 1.0, dt], [0.0, 0.0, 1.0]] };
    let noise = |dt: f64| -> M3 {
        let (d2, d3, d4, d5) = (dt * dt, dt.powi(3), dt.powi(4), dt.powi(5));
        [
            [q * d5 / 20.0, q * d4 / 8.0, q * d3 / 6.0],
            [q * d4 / 8.0, q * d3 / 3.0, q * d2 / 2.0],
            [q * d3 / 6.0, q * d2 / 2.0, q * dt],
        ]
    };
    // Forward pass; the start knows the position only: velocity and
    // acceleration get a wide prior (`v_sd`, `a_sd`: 10 m/s and 100 m/s^2
    // in the values' unit, beyond any lift).
    let mut x = [xs[first], 0.0, 0.0];
    let mut p: M3 = [
        [sigma[first].powi(2), 0.0, 0.0],
        [0.0, v_sd * v_sd, 0.0],
        [0.0, 0.0, a_sd * a_sd],
    ];
    let (mut filt, mut pred) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for k in 0..n {
        if k > 0 {
            let dt = times[k] - times[k - 1];
            let f = transition(dt);
            x = apply(&f, &x);
            p = mul(&mul(&f, &p), &transpose(&f));
            let qn = noise(dt);
            for i in 0..3 {
                for j in 0..3 {
                    p[i][j] += qn[i][j];
                }
            }
        }
        pred.push((x, p));
        if usable(k) {
            let s = p[0][0] + sigma[k] * sigma[k];
            let gain = [p[0][0] / s, p[1][0] / s, p[2][0] / s];
            let innovation = xs[k] - x[0];
            let row = p[0];
            for i in 0..3 {
                x[i] += gain[i] * innovation;
                for j in 0..3 {
                    p[i][j] -= gain[i] * row[j];
                }
            }
        }
        filt.push((x, p));
    }
    // Backward pass.
    let mut out = vec![[0.0; 3]; n];
    let mut next = filt[n - 1].0;
    out[n - 1] = next;
    for k in (0..n - 1).rev() {
        let (xf, pf) = filt[k];
        let (xp, pp) = pred[k + 1];
        // The smoother gain is pf F' pp^-1; applied to one vector it needs
        // only one solve, done on pp scaled to unit diagonal so that
        // solve's singularity test does not depend on the units.
        let diff = [next[0] - xp[0], next[1] - xp[1], next[2] - xp[2]];
        let d = [0, 1, 2].map(|i| 1.0 / pp[i][i].max(f64::MIN_POSITIVE).sqrt());
        let scaled = [0, 1, 2].map(|i| [0, 1, 2].map(|j| d[i] * pp[i][j] * d[j]));
        let Some(z) = solve(scaled, [0, 1, 2].map(|i| d[i] * diff[i])) else {
            next = xf;
            out[k] = xf;
            continue;
        };
        let w = [0, 1, 2].map(|i| d[i] * z[i]);
        let corr = apply(&pf, &apply(&transpose(&transition(times[k + 1] - times[k])), &w));
        next = [xf[0] + corr[0], xf[1] + corr[1], xf[2] + corr[2]];
        out[k] = next;
    }
    out
}

/// Solve the N x N system `a x = b` by Gaussian elimination with partial
/// pivoting; `None` when a pivot vanishes against the matrix's scale.
pub fn solve<const N: usize>(mut a: [[f64; N]; N], mut b: [f64; N]) -> Option<[f64; N]> {
    let scale = a.iter().flatten().fold(0.0f64, |m, v| m.max(v.abs()));
    if !(scale > 0.0 && scale.is_finite()) {
        return None;
    }
    for col in 0..N {
        let pivot = (col..N).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() <= 1e-12 * scale {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        for row in col + 1..N {
            let k = a[row][col] / a[col][col];
            let (above, below) = a.split_at_mut(row);
            for (x, p) in below[0][col..].iter_mut().zip(&above[col][col..]) {
                *x -= k * p;
            }
            b[row] -= k * b[col];
        }
    }
    let mut x = [0.0; N];
    for row in (0..N).rev() {
        let tail: f64 = (row + 1..N).map(|c| a[row][c] * x[c]).sum();
        x[row] = (b[row] - tail) / a[row][row];
    }
    x.iter().all(|v| v.is_finite()).then_some(x)
}

/// One-euro filter for one scalar. `value_scale` scales only the speed that
/// drives the cutoff (MediaPipe divides by the object's size in pixels so one
/// setting suits near and far subjects).
#[derive(Debug, Clone)]
pub struct OneEuro {
    min_cutoff: f64,
    beta: f64,
    d_cutoff: f64,
    last: Option<(f64, f64, f64)>, // (time, filtered value, filtered derivative)
}

fn smoothing_factor(cutoff: f64, dt: f64) -> f64 {
    let tau = 1.0 / (2.0 * std::f64::consts::PI * cutoff);
    1.0 / (1.0 + tau / dt)
}

impl OneEuro {
    pub fn new(min_cutoff: f64, beta: f64, d_cutoff: f64) -> Self {
        OneEuro {
            min_cutoff,
            beta,
            d_cutoff,
            last: None,
        }
    }

    pub fn reset(&mut self) {
        self.last = None;
    }

    pub fn filter(&mut self, t: f64, x: f64, value_scale: f64) -> f64 {
        let Some((t0, x0, dx0)) = self.last else {
            self.last = Some((t, x, 0.0));
            return x;
        };
        let dt = t - t0;
        if dt <= 0.0 {
            return x0;
        }
        let dx = (x - x0) * value_scale / dt;
        let edx = dx0 + smoothing_factor(self.d_cutoff, dt) * (dx - dx0);
        let cutoff = self.min_cutoff + self.beta * edx.abs();
        let y = x0 + smoothing_factor(cutoff, dt) * (x - x0);
        self.last = Some((t, y, edx));
        y
    }
}

/// Central-difference derivative on uneven times (one-sided at the ends).
pub fn derivative(times: &[f64], xs: &[f64]) -> Vec<f64> {
    let n = xs.len();
    (0..n)
        .map(|i| {
            let (a, b) = (i.saturating_sub(1), (i + 1).min(n - 1));
            if b == a {
                0.0
            } else {
                (xs[b] - xs[a]) / (times[b] - times[a])
            }
        })
        .collect()
}

/// Where the straight line from `a` to `b` crosses `level`, as a share of
/// the way from `a` (0 to 1); `None` when both sit on the same side. Times a
/// threshold crossing between two samples (a rep's phase edges, where the
/// bar's speed passes the still threshold).
pub fn crossing_share(a: f64, b: f64, level: f64) -> Option<f64> {
    let (ea, eb) = (a - level, b - level);
    ((ea < 0.0) != (eb < 0.0)).then(|| ea / (ea - eb))
}

/// Where `t` falls among increasing sample times: the samples either side
/// and the later one's weight, held at the first sample before it (weight
/// 0) and at the last after it (both indices the last). `k` carries the
/// search from one call to the next, for increasing `t`.
pub fn bracket(samples: &[f64], t: f64, k: &mut usize) -> (usize, usize, f64) {
    while *k + 1 < samples.len() && samples[*k + 1] <= t {
        *k += 1;
    }
    let next = (*k + 1).min(samples.len().saturating_sub(1));
    let w = if next != *k && samples[next] > samples[*k] {
        ((t - samples[*k]) / (samples[next] - samples[*k])).clamp(0.0, 1.0)
    } else {
        0.0
    };
    (*k, next, w)
}

/// Median of finite values (NaN-free), `None` when empty.
pub fn median(values: impl IntoIterator<Item = f64>) -> Option<f64> {
    percentile(values, 50.0)
}

/// Linear-interpolated percentile (0-100) of finite values.
pub fn percentile(values: impl IntoIterator<Item = f64>, p: f64) -> Option<f64> {
    let mut v: Vec<f64> = values.into_iter().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let pos = (p / 100.0).clamp(0.0, 1.0) * (v.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    Some(v[lo] + (v[hi] - v[lo]) * (pos - lo as f64))
}

/// Distance between the `lo` and `hi` percentiles (0-100) of finite values:
/// 0 and 100 give the full range, 5 and 95 a range robust to outliers.
pub fn spread(values: &[f64], lo: f64, hi: f64) -> Option<f64> {
    Some(percentile(values.iter().copied(), hi)? - percentile(values.iter().copied(), lo)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_crossing_is_the_share_of_the_way_to_the_level_either_way() {
        assert_eq!(crossing_share(0.0, 1.0, 0.25), Some(0.25));
        assert_eq!(crossing_share(1.0, 0.0, 0.25), Some(0.75));
        assert_eq!(crossing_share(0.5, 1.0, 0.25), None);
        assert_eq!(crossing_share(0.0, 0.1, 0.25), None);
    }

    fn times(n: usize, fps: f64) -> Vec<f64> {
        (0..n).map(|i| i as f64 / fps).collect()
    }

    #[test]
    fn butterworth_passes_slow_motion_and_removes_jitter() {
        let t = times(300, 30.0);
        let slow: Vec<f64> = t
            .iter()
            .map(|&t| (2.0 * std::f64::consts::PI * 0.5 * t).sin())
            .collect();
        let noisy: Vec<f64> = slow
            .iter()
            .enumerate()
            .map(|(i, s)| s + if i % 2 == 0 { 0.05 } else { -0.05 })
            .collect();
        let out = butterworth_zero_phase(&t, &noisy, 6.0);
        let worst = out
            .iter()
            .zip(&slow)
            .skip(10)
            .take(280)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        assert!(worst < 0.01, "residual {worst}");
        // Zero phase: the peak stays where it was.
        let peak = |v: &[f64]| (0..v.len()).max_by(|&a, &b| v[a].total_cmp(&v[b])).unwrap();
        assert_eq!(peak(&out[..60]), peak(&slow[..60]));
    }

    #[test]
    fn smoothing_keeps_gaps_and_filters_each_stretch() {
        let t = times(40, 30.0);
        let mut v: Vec<Option<f64>> = (0..40).map(|i| Some(i as f64)).collect();
        v[20] = None;
        let out = Smoothing::default().apply(&t, &v);
        assert!(out[20].is_none());
        assert!((out[10].unwrap() - 10.0).abs() < 0.05);
        assert!((out[25].unwrap() - 25.0).abs() < 0.05);
    }

    #[test]
    fn short_gaps_are_filled_linearly_long_ones_kept() {
        let t = times(10, 10.0);
        let v = vec![
            Some(0.0),
            Some(1.0),
            None,
            None,
            Some(4.0),
            None,
            None,
            None,
            None,
            Some(9.0),
        ];
        let (out, filled) = fill_short_gaps(&t, &v, 0.3);
        assert!((out[2].unwrap() - 2.0).abs() < 1e-9);
        assert!((out[3].unwrap() - 3.0).abs() < 1e-9);
        assert!(filled[2] && !filled[1]);
        assert!(out[6].is_none(), "a 0.5 s gap stays a gap");
    }

    #[test]
    fn one_euro_follows_a_step_and_steadies_jitter() {
        let mut f = OneEuro::new(1.0, 0.0, 1.0);
        let mut y = 0.0;
        for i in 0..300 {
            y = f.filter(i as f64 / 30.0, if i % 2 == 0 { 1.0 } else { -1.0 }, 1.0);
        }
        assert!(y.abs() < 0.3, "jitter left: {y}");
    }

    #[test]
    fn solve_pivots_and_refuses_singular_systems() {
        // A zero in the first pivot needs the rows swapped.
        let x = solve([[0.0, 2.0, 1.0], [1.0, 1.0, 0.0], [2.0, 0.0, 3.0]], [7.0, 3.0, 11.0]).expect("solvable");
        for (got, want) in x.iter().zip([1.0, 2.0, 3.0]) {
            assert!((got - want).abs() < 1e-12, "{x:?}");
        }
        assert_eq!(solve([[1.0, 2.0], [2.0, 4.0]], [1.0, 2.0]), None);
        assert_eq!(solve([[0.0; 2]; 2], [0.0; 2]), None);
    }

    #[test]
    fn percentile_interpolates() {
        assert_eq!(spread(&[4.0, 1.0, 2.0], 0.0, 100.0), Some(3.0));
        assert_eq!(spread(&[], 0.0, 100.0), None);
        assert_eq!(median([3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(percentile([0.0, 10.0], 90.0), Some(9.0));
        assert_eq!(median(std::iter::empty()), None);
    }

    /// Positions of a bar that rises at 1 m/s with a 0.1 s bump to 1.3 m/s
    /// (the rendered lean-back's shape), and that speed, at 30 fps.
    fn speed_bump() -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        let t = times(60, 30.0);
        let speed = |t: f64| 1.0 + 0.3 * (-((t - 1.0) / 0.04).powi(2)).exp();
        let mut pos = vec![0.0];
        for k in 1..t.len() {
            // Fine steps: the exact integral of the speed.
            let steps = 100;
            let h = (t[k] - t[k - 1]) / steps as f64;
            let area: f64 = (0..steps).map(|j| speed(t[k - 1] + (j as f64 + 0.5) * h) * h).sum();
            pos.push(pos[k - 1] + area);
        }
        let v = t.iter().map(|&t| speed(t)).collect();
        (t, pos, v)
    }

    #[test]
    fn kalman_follows_a_precise_speed_bump_that_a_6_hz_low_pass_flattens() {
        let (t, pos, truth) = speed_bump();
        // 0.5 mm of alternating error: a plate fit's scatter at 3 mm/px.
        let measured: Vec<Option<f64>> = pos
            .iter()
            .enumerate()
            .map(|(i, p)| Some(p + if i % 2 == 0 { 0.0005 } else { -0.0005 }))
            .collect();
        let sigma = vec![0.0005; t.len()];
        let peak = |s: Smoothing| {
            s.kinematics(&t, &measured, &sigma, 1.0)
                .iter()
                .flatten()
                .map(|m| m.vel)
                .fold(f64::NEG_INFINITY, f64::max)
        };
        let true_peak = truth.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let kalman = peak(Smoothing::Kalman { jerk_psd: 700.0 });
        let low_pass = peak(Smoothing::Butterworth { cutoff_hz: 6.0 });
        assert!(
            (kalman - true_peak).abs() < 0.03,
            "kalman peak {kalman}, truth {true_peak}"
        );
        assert!(true_peak - low_pass > 0.05, "6 Hz peak {low_pass}, truth {true_peak}");
    }

    #[test]
    fn kalman_weighs_each_sample_by_its_precision_and_bridges_gaps() {
        // A bar moving at 0.5 m/s, one sample 3 cm off, and a 6-frame gap.
        let t = times(60, 30.0);
        let line: Vec<f64> = t.iter().map(|t| 0.5 * t).collect();
        let mut values: Vec<Option<f64>> = line.iter().map(|&v| Some(v)).collect();
        values[20] = Some(line[20] + 0.03);
        for v in &mut values[40..46] {
            *v = Some(0.0); // a placeholder: no measurement
        }
        let mut sigma = vec![0.001; t.len()];
        for s in &mut sigma[40..46] {
            *s = f64::INFINITY;
        }
        let kalman = Smoothing::Kalman { jerk_psd: 700.0 };
        let error_at = |sigma: &[f64], k: usize| {
            let m = kalman.kinematics(&t, &values, sigma, 1.0)[k].unwrap();
            (m.pos - line[k]).abs()
        };
        // Marked as a stand-in (4 cm), it moves the track a tenth as far
        // as when it is trusted like its neighbours.
        let mut doubted = sigma.clone();
        doubted[20] = 0.04;
        let (trusted, stand_in) = (error_at(&sigma, 20), error_at(&doubted, 20));
        assert!(trusted > 0.005 && stand_in < 0.1 * trusted, "{trusted} {stand_in}");
        // The gap is carried on the motion: positions and speed stay on the line.
        let motion = kalman.kinematics(&t, &values, &doubted, 1.0);
        for (k, m) in motion.iter().enumerate().take(46).skip(40) {
            let m = m.unwrap();
            assert!((m.pos - line[k]).abs() < 0.001, "frame {k}: {}", m.pos);
            assert!((m.vel - 0.5).abs() < 0.01, "frame {k}: {}", m.vel);
        }
    }

    /// Regression: the backward pass's singularity test read the state
    /// covariance in the values' units, so a track in metres (covariances
    /// near 1e-7) skipped smoothing that the same track in pixels got.
    #[test]
    fn kalman_gives_the_same_motion_in_metres_and_in_pixels() {
        let (t, pos, _) = speed_bump();
        let mpp = 0.003;
        let in_m: Vec<Option<f64>> = pos.iter().map(|&p| Some(p)).collect();
        let in_px: Vec<Option<f64>> = pos.iter().map(|&p| Some(p / mpp)).collect();
        let kalman = Smoothing::Kalman { jerk_psd: 700.0 };
        let m = kalman.kinematics(&t, &in_m, &vec![0.0005; t.len()], 1.0);
        let px = kalman.kinematics(&t, &in_px, &vec![0.0005 / mpp; t.len()], mpp);
        for (a, b) in m.iter().flatten().zip(px.iter().flatten()) {
            assert!((a.vel - b.vel * mpp).abs() < 1e-6, "{a:?} {b:?}");
        }
    }
}
