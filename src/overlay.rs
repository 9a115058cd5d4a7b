//! Drawing on frames: the fused skeleton, the person mask's outline, the
//! hip-to-shoulder line with its angle from vertical, a small status box,
//! and the faults active on the frame.

use opencv::core::{Mat, Point, Rect, Scalar, Vector};
use opencv::imgproc;
use opencv::prelude::*;

use crate::bar::BarTrack;
use crate::error::{CvContext, Result};
use crate::faults::{Fault, FaultKind};
use crate::pose::landmarks::{Roi, INPUT};
use crate::reps::Phase;
use crate::skeleton::{FusedPoint, Joint, SagittalTrack};

/// The person mask kept per frame for drawing: a coarse grid in crop
/// coordinates plus the crop, so memory stays small on long clips.
#[derive(Debug, Clone)]
pub struct CoarseMask {
    pub roi: Roi,
    pub size: usize,
    pub cells: Vec<u8>,
}

pub const MASK_GRID: usize = 64;

impl CoarseMask {
    /// Downsample the 256x256 person probability to a `MASK_GRID` grid.
    pub fn from_probabilities(roi: Roi, prob: &[f32]) -> Self {
        let k = INPUT / MASK_GRID;
        let mut cells = vec![0u8; MASK_GRID * MASK_GRID];
        for (gy, row) in cells.chunks_exact_mut(MASK_GRID).enumerate() {
            for (gx, c) in row.iter_mut().enumerate() {
                let mut s = 0.0;
                for y in gy * k..gy * k + k {
                    for x in gx * k..gx * k + k {
                        s += prob[y * INPUT + x];
                    }
                }
                *c = (s / (k * k) as f32 * 255.0).round() as u8;
            }
        }
        CoarseMask {
            roi,
            size: MASK_GRID,
            cells,
        }
    }

    /// Outline of the person in image pixels.
    pub fn outline(&self) -> Result<Vec<Vec<Point>>> {
        let grid = Mat::from_slice(&self.cells).cv("mask outline")?;
        let grid = grid.reshape(1, self.size as i32).cv("mask outline")?;
        let mut bin = Mat::default();
        imgproc::threshold(&grid, &mut bin, 127.0, 255.0, imgproc::THRESH_BINARY).cv("mask outline")?;
        let mut contours: Vector<Vector<Point>> = Vector::new();
        imgproc::find_contours(
            &bin,
            &mut contours,
            imgproc::RETR_EXTERNAL,
            imgproc::CHAIN_APPROX_SIMPLE,
            Point::default(),
        )
        .cv("mask outline")?;
        let cell = (INPUT / self.size) as f32;
        Ok(contours
            .iter()
            .map(|c| {
                c.iter()
                    .map(|p| {
                        let (x, y) = self.roi.to_image((p.x as f32 + 0.5) * cell, (p.y as f32 + 0.5) * cell);
                        Point::new(x.round() as i32, y.round() as i32)
                    })
                    .collect()
            })
            .collect())
    }
}

const BONES: [(Joint, Joint); 9] = [
    (Joint::Ear, Joint::Shoulder),
    (Joint::Shoulder, Joint::Elbow),
    (Joint::Elbow, Joint::Wrist),
    (Joint::Hip, Joint::Knee),
    (Joint::Knee, Joint::Ankle),
    (Joint::Ankle, Joint::Heel),
    (Joint::Heel, Joint::Toe),
    (Joint::Ankle, Joint::Toe),
    (Joint::Shoulder, Joint::Hip),
];

fn bgr(r: f64, g: f64, b: f64) -> Scalar {
    Scalar::new(b, g, r, 0.0)
}

fn pt(p: FusedPoint) -> Point {
    Point::new(p.x.round() as i32, p.y.round() as i32)
}

/// Size unit (1 per 1000 px of the longer side, at least 0.5) and line
/// thickness, so drawings look alike at every resolution.
fn drawing_scale(img: &Mat) -> (f64, i32) {
    let unit = (img.cols().max(img.rows()) as f64 / 1000.0).max(0.5);
    (unit, (2.5 * unit).round().max(1.0) as i32)
}

/// Where `label` puts `text` asked for at `at`: its baseline origin, font
/// scale and thickness, and the box it covers. Keeps the text inside the
/// picture (portrait phone clips are narrow): slides it left rather than
/// cut it off at the right edge, and shrinks it when it is wider than the
/// picture.
fn place(img: &Mat, text: &str, at: Point, scale: f64) -> Result<(Point, f64, i32, Rect)> {
    let thick = (scale * 2.0).round().max(1.0) as i32;
    let mut base = 0;
    let size =
        imgproc::get_text_size(text, imgproc::FONT_HERSHEY_SIMPLEX, scale, thick + 3, &mut base).cv("overlay")?;
    let room = (img.cols() - 4).max(1);
    let (scale, thick, width, height) = if size.width > room {
        let s = scale * room as f64 / size.width as f64;
        let k = room as f64 / size.width as f64;
        (
            s,
            (s * 2.0).round().max(1.0) as i32,
            room,
            (size.height as f64 * k) as i32,
        )
    } else {
        (scale, thick, size.width, size.height)
    };
    let at = Point::new(at.x.min(img.cols() - width - 2).max(2), at.y);
    Ok((at, scale, thick, Rect::new(at.x, at.y - height, width, height + base)))
}

/// Text with a dark outline so it reads on any background.
pub fn label(img: &mut Mat, text: &str, at: Point, scale: f64, color: Scalar) -> Result<()> {
    let placed = place(img, text, at, scale)?;
    draw_placed(img, text, placed, color)
}

/// Draw `text` where `place` put it.
fn draw_placed(img: &mut Mat, text: &str, (at, scale, thick, _): (Point, f64, i32, Rect), color: Scalar) -> Result<()> {
    for (c, t) in [(bgr(0.0, 0.0, 0.0), thick + 3), (color, thick)] {
        imgproc::put_text(
            img,
            text,
            at,
            imgproc::FONT_HERSHEY_SIMPLEX,
            scale,
            c,
            t,
            imgproc::LINE_AA,
            false,
        )
        .cv("overlay")?;
    }
    Ok(())
}

/// Like `label`, but moved down past the boxes in `taken` (two faults
/// measured at nearby joints would print over each other); adds its own.
fn label_clear_of(
    img: &mut Mat,
    taken: &mut Vec<Rect>,
    text: &str,
    mut at: Point,
    scale: f64,
    color: Scalar,
) -> Result<()> {
    for _ in 0..8 {
        let placed = place(img, text, at, scale)?;
        let rect = placed.3;
        match taken.iter().find(|r| (**r & rect).area() > 0) {
            Some(r) => at.y = r.y + r.height + rect.height + 4,
            None => {
                taken.push(rect);
                return draw_placed(img, text, placed, color);
            }
        }
    }
    label(img, text, at, scale, color)
}

/// Draw frame `i` of the analysis onto `img`.
pub fn draw(
    img: &mut Mat,
    track: &SagittalTrack,
    bar: &BarTrack,
    i: usize,
    time_s: f64,
    mask: Option<&CoarseMask>,
    phase: Option<(usize, Phase)>,
) -> Result<()> {
    let (unit, thick) = drawing_scale(img);
    draw_bar(img, bar, i, unit, thick)?;

    if let Some(mask) = mask {
        let outline: Vector<Vector<Point>> = mask.outline()?.into_iter().map(Vector::from_iter).collect();
        imgproc::polylines(
            img,
            &outline,
            true,
            bgr(120.0, 200.0, 255.0),
            thick.max(2) / 2,
            imgproc::LINE_AA,
            0,
        )
        .cv("overlay")?;
    }

    let get = |j: Joint| track.point(i, j);
    let angle = track.torso_angle_deg.get(i).copied().flatten();
    // A drawn body without an angle is a pose found wrong (its rep's
    // angles were withdrawn), not a missing one: it is drawn grey and thin,
    // so a fault frame does not show a skeleton on the plate as if it were
    // the lifter.
    let doubted =
        angle.is_none() && track.analysed.contains(&i) && get(Joint::Hip).is_some() && get(Joint::Shoulder).is_some();
    for (a, b) in BONES {
        if let (Some(pa), Some(pb)) = (get(a), get(b)) {
            let torso = a == Joint::Shoulder && b == Joint::Hip && !doubted;
            let sure = pa.conf.min(pb.conf) >= 0.5 && !doubted;
            let color = match (torso, sure) {
                (true, _) => bgr(255.0, 200.0, 0.0),
                (false, true) => bgr(80.0, 255.0, 120.0),
                (false, false) => bgr(160.0, 160.0, 160.0),
            };
            let w = if torso {
                thick * 2
            } else if doubted {
                (thick / 2).max(1)
            } else {
                thick
            };
            imgproc::line(img, pt(pa), pt(pb), color, w, imgproc::LINE_AA, 0).cv("overlay")?;
        }
    }
    for j in Joint::ALL {
        if let Some(p) = get(j) {
            let color = if p.conf >= 0.5 && !doubted {
                bgr(255.0, 255.0, 255.0)
            } else {
                bgr(160.0, 160.0, 160.0)
            };
            imgproc::circle(img, pt(p), thick + 2, color, -1, imgproc::LINE_AA, 0).cv("overlay")?;
        }
    }

    if let (Some(angle), Some(hip), Some(sh)) = (angle, get(Joint::Hip), get(Joint::Shoulder)) {
        // Vertical reference from the hip and the arc to the torso line.
        let len = ((sh.x - hip.x).powi(2) + (sh.y - hip.y).powi(2)).sqrt();
        let top = Point::new(pt(hip).x, (hip.y - len * 0.9).round() as i32);
        dashed(
            img,
            pt(hip),
            top,
            bgr(255.0, 255.0, 255.0),
            (thick / 2).max(1),
            (8.0 * unit) as i32,
        )?;
        let r = (len * 0.35).max(10.0);
        let torso_dir = (sh.y - hip.y).atan2(sh.x - hip.x).to_degrees();
        let r_i = r.round() as i32;
        imgproc::ellipse(
            img,
            pt(hip),
            opencv::core::Size::new(r_i, r_i),
            0.0,
            -90.0,
            torso_dir,
            bgr(255.0, 200.0, 0.0),
            thick,
            imgproc::LINE_AA,
            0,
        )
        .cv("overlay")?;
        let mid = ((-90.0 + torso_dir) / 2.0).to_radians();
        let at = Point::new(
            (hip.x + (r + 12.0 * unit) * mid.cos()).round() as i32,
            (hip.y + (r + 12.0 * unit) * mid.sin()).round() as i32,
        );
        label(img, &format!("{angle:.0} deg"), at, 0.6 * unit, bgr(255.0, 200.0, 0.0))?;
    }

    let mut status = match angle {
        Some(a) => format!(
            "t {time_s:5.2} s   torso {a:+.0} deg {}",
            if a >= 0.0 { "forward" } else { "behind vertical" }
        ),
        None if !track.analysed.contains(&i) => format!("t {time_s:5.2} s   another shot: not analysed"),
        None if doubted => format!("t {time_s:5.2} s   torso not read: pose doubted"),
        None => format!("t {time_s:5.2} s   no confident pose"),
    };
    if let Some(b) = bar.at(i) {
        if b.vy_mps.is_finite() {
            status += &format!(
                "   bar {} {:.2} m/s",
                if b.vy_mps >= 0.0 { "up" } else { "down" },
                b.vy_mps.abs()
            );
        }
    }
    label(
        img,
        &status,
        Point::new((12.0 * unit) as i32, (30.0 * unit) as i32),
        0.7 * unit,
        bgr(255.0, 255.0, 255.0),
    )?;
    let mut facing = format!("facing {}", track.facing.name());
    if let Some((rep, phase)) = phase {
        facing += &format!("   rep {}: {}", rep + 1, phase.plain());
        if phase.plain() != phase.name() {
            facing += &format!(" ({})", phase.name());
        }
    }
    label(
        img,
        &facing,
        Point::new((12.0 * unit) as i32, (58.0 * unit) as i32),
        0.55 * unit,
        bgr(200.0, 200.0, 200.0),
    )
}

/// Speed colour: blue when still, through green and yellow, red at 1.5 m/s.
fn speed_color(v: f64) -> Scalar {
    let k = (v.abs() / 1.5).clamp(0.0, 1.0);
    let (r, g, b) = if k < 0.5 {
        (0.0, 2.0 * k, 1.0 - 2.0 * k)
    } else {
        (2.0 * (k - 0.5), 1.0 - 2.0 * (k - 0.5), 0.0)
    };
    bgr(60.0 + 195.0 * r, 60.0 + 195.0 * g, 60.0 + 195.0 * b)
}

fn draw_bar(img: &mut Mat, bar: &BarTrack, i: usize, unit: f64, thick: i32) -> Result<()> {
    // The bar path so far, coloured by speed.
    let upto = (i + 1).min(bar.frames.len());
    let mut prev: Option<Point> = None;
    for f in bar.frames[..upto].iter() {
        match f {
            Some(b) => {
                let p = Point::new(b.x_px.round() as i32, b.y_px.round() as i32);
                if let Some(q) = prev {
                    imgproc::line(
                        img,
                        q,
                        p,
                        speed_color(b.vy_mps.hypot(b.vx_mps)),
                        thick,
                        imgproc::LINE_AA,
                        0,
                    )
                    .cv("overlay")?;
                }
                prev = Some(p);
            }
            None => prev = None,
        }
    }
    // The plate as fitted in this frame (only when measured).
    if let Some(fit) = bar.fits.get(i).copied().flatten().filter(|f| f.measured) {
        let c = Point::new(fit.cx.round() as i32, fit.cy.round() as i32);
        let axes = opencv::core::Size::new(fit.minor.round() as i32, fit.major.round() as i32);
        imgproc::ellipse(
            img,
            c,
            axes,
            0.0,
            0.0,
            360.0,
            bgr(255.0, 230.0, 0.0),
            thick,
            imgproc::LINE_AA,
            0,
        )
        .cv("overlay")?;
    }
    if let Some(b) = bar.at(i) {
        let c = Point::new(b.x_px.round() as i32, b.y_px.round() as i32);
        let color = if b.measured {
            bgr(255.0, 230.0, 0.0)
        } else {
            bgr(180.0, 180.0, 180.0)
        };
        let r = (5.0 * unit).round() as i32;
        imgproc::line(
            img,
            Point::new(c.x - r, c.y),
            Point::new(c.x + r, c.y),
            color,
            thick,
            imgproc::LINE_AA,
            0,
        )
        .cv("overlay")?;
        imgproc::line(
            img,
            Point::new(c.x, c.y - r),
            Point::new(c.x, c.y + r),
            color,
            thick,
            imgproc::LINE_AA,
            0,
        )
        .cv("overlay")?;
    }
    Ok(())
}

fn dashed(img: &mut Mat, a: Point, b: Point, color: Scalar, thick: i32, dash: i32) -> Result<()> {
    let (dx, dy) = ((b.x - a.x) as f64, (b.y - a.y) as f64);
    let len = (dx * dx + dy * dy).sqrt();
    let dash = dash.max(2) as f64;
    let mut s = 0.0;
    while s < len {
        let e = (s + dash).min(len);
        let p = |t: f64| Point::new((a.x as f64 + dx * t / len) as i32, (a.y as f64 + dy * t / len) as i32);
        imgproc::line(img, p(s), p(e), color, thick, imgproc::LINE_AA, 0).cv("overlay")?;
        s += 2.0 * dash;
    }
    Ok(())
}

/// Where a fault's value was measured, for drawing it there.
fn fault_anchor(track: &SagittalTrack, bar: &BarTrack, f: &Fault, i: usize) -> Option<Point> {
    if let Some([x, y]) = f.at_px {
        return Some(Point::new(x.round() as i32, y.round() as i32));
    }
    let joint = |j: Joint| track.point(i, j).map(pt);
    let on_bar = || bar.at(i).map(|b| Point::new(b.x_px as i32, b.y_px as i32));
    match f.kind {
        FaultKind::BarDrift => on_bar(),
        // Depth read from the bar is drawn on the bar.
        FaultKind::AboveParallel if f.unit == crate::faults::BAR_DROP_UNIT => on_bar(),
        FaultKind::Rounding => {
            let (h, s) = (track.point(i, Joint::Hip)?, track.point(i, Joint::Shoulder)?);
            Some(Point::new(((h.x + s.x) / 2.0) as i32, ((h.y + s.y) / 2.0) as i32))
        }
        FaultKind::HeelLift => joint(Joint::Heel),
        FaultKind::HeadPosition => joint(Joint::Ear),
        FaultKind::SoftLockout | FaultKind::AboveParallel => joint(Joint::Knee),
        FaultKind::GoodMorning | FaultKind::HipsRiseEarly | FaultKind::HyperextensionLockout => joint(Joint::Hip),
    }
}

fn value_text(f: &Fault) -> String {
    match f.unit.as_str() {
        "m" => crate::faults::cm_text(f.value),
        "deg" => format!("{:.0} deg", f.value),
        "ratio" => format!("x{:.2}", f.value),
        "torso lengths" => format!("+{:.0}% torso", 100.0 * f.value),
        crate::faults::BAR_DROP_UNIT => format!("bar down {:.0}%", 100.0 * f.value),
        u => format!("{:.2} {u}", f.value),
    }
}

/// Faults active on frame `i`: a red banner along the bottom naming them,
/// and each value drawn where it was measured.
pub fn draw_faults(img: &mut Mat, track: &SagittalTrack, bar: &BarTrack, i: usize, active: &[&Fault]) -> Result<()> {
    if active.is_empty() {
        return Ok(());
    }
    let (unit, thick) = drawing_scale(img);
    let red = bgr(255.0, 60.0, 60.0);
    let mut taken = Vec::new();
    for f in active {
        let Some(at) = fault_anchor(track, bar, f, i) else {
            continue;
        };
        if f.kind == FaultKind::BarDrift {
            // The gap from the midfoot's vertical to the bar.
            if let Some(ox) = bar.midfoot_px {
                let foot = Point::new(ox.round() as i32, at.y);
                imgproc::line(img, foot, at, red, thick, imgproc::LINE_AA, 0).cv("overlay")?;
                dashed(
                    img,
                    Point::new(foot.x, 0),
                    Point::new(foot.x, img.rows()),
                    red,
                    thick.max(2) / 2,
                    (12.0 * unit) as i32,
                )?;
            }
        }
        imgproc::circle(img, at, (14.0 * unit) as i32, red, thick, imgproc::LINE_AA, 0).cv("overlay")?;
        label_clear_of(
            img,
            &mut taken,
            &format!("{} {}", f.kind.name(), value_text(f)),
            Point::new(at.x + (18.0 * unit) as i32, at.y - (18.0 * unit) as i32),
            0.6 * unit,
            red,
        )?;
    }
    let h = (34.0 * unit) as i32 * active.len() as i32 + (10.0 * unit) as i32;
    let band = opencv::core::Rect::new(0, (img.rows() - h).max(0), img.cols(), h.min(img.rows()));
    let mut roi = Mat::roi_mut(img, band).cv("overlay")?;
    let dark =
        Mat::new_rows_cols_with_default(roi.rows(), roi.cols(), roi.typ(), bgr(120.0, 0.0, 0.0)).cv("overlay")?;
    let mut blended = Mat::default();
    opencv::core::add_weighted(&roi, 0.35, &dark, 0.65, 0.0, &mut blended, -1).cv("overlay")?;
    blended.copy_to(&mut roi).cv("overlay")?;
    for (k, f) in active.iter().enumerate() {
        let text = format!(
            "Rep {}: {} ({}, {})",
            f.rep + 1,
            f.kind.title(),
            value_text(f),
            f.severity.name()
        );
        label(
            img,
            &text,
            Point::new(
                (12.0 * unit) as i32,
                img.rows() - h + (30.0 * unit) as i32 * (k as i32 + 1),
            ),
            0.7 * unit,
            bgr(255.0, 255.0, 255.0),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use opencv::core::CV_8UC3;

    /// Regression (mirrored mattiolato bad02): hyperextension at the hip
    /// and soft lockout at the knee, a few pixels apart, printed their
    /// labels over each other.
    #[test]
    fn labels_for_nearby_faults_do_not_overlap() {
        let mut img = Mat::new_rows_cols_with_default(540, 960, CV_8UC3, Scalar::all(0.0)).unwrap();
        let mut taken = Vec::new();
        let white = bgr(255.0, 255.0, 255.0);
        for (text, at) in [
            ("hyperextension_lockout -10 deg", (400, 200)),
            ("soft_lockout 63 deg", (430, 205)),
        ] {
            label_clear_of(&mut img, &mut taken, text, Point::new(at.0, at.1), 0.6, white).unwrap();
        }
        assert_eq!(taken.len(), 2);
        assert_eq!((taken[0] & taken[1]).area(), 0, "{taken:?}");
        assert!(taken[1].y > taken[0].y);
    }

    /// A fault frame of a rep whose pose was found wrong (squat hips drawn
    /// on the plate) showed its skeleton in the sure colours, as if it
    /// were the lifter; a pose without a torso angle is drawn grey.
    #[test]
    fn a_doubted_pose_is_drawn_grey() {
        let torso_colour_at = |angle: Option<f64>| {
            let mut joints = [None; crate::skeleton::JOINTS];
            joints[Joint::Hip.index()] = Some(FusedPoint {
                x: 300.0,
                y: 300.0,
                conf: 0.9,
            });
            joints[Joint::Shoulder.index()] = Some(FusedPoint {
                x: 340.0,
                y: 200.0,
                conf: 0.9,
            });
            let track = SagittalTrack {
                facing: crate::skeleton::Facing::Right,
                facing_doubt: None,
                joints: vec![joints],
                confident: vec![true],
                torso_angle_deg: vec![angle],
                thigh_px: 100.0,
                analysed: 0..1,
            };
            let bar = BarTrack {
                source: crate::bar::BarSource::Plate,
                scale: crate::bar::Scale::plate_for_tests(0.004),
                origin_px: (0.0, 0.0),
                midfoot_px: None,
                frames: vec![None],
                fits: Vec::new(),
            };
            let mut img = Mat::new_rows_cols_with_default(540, 960, CV_8UC3, Scalar::all(0.0)).unwrap();
            draw(&mut img, &track, &bar, 0, 0.0, None, None).unwrap();
            *img.at_2d::<opencv::core::Vec3b>(250, 320).unwrap()
        };
        // Mid-torso (anti-aliased): the torso's orange, or a grey.
        let [b, g, r] = torso_colour_at(Some(21.8)).0;
        assert!(b == 0 && r > g && g > 50, "{:?}", [b, g, r]);
        let [b, g, r] = torso_colour_at(None).0;
        assert!(b == g && g == r && r > 30, "{:?}", [b, g, r]);
    }
}
