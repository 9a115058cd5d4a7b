//! Video in and out through OpenCV's FFmpeg backend.
//!
//! Phones store portrait video as landscape frames plus a rotation tag, and
//! often record at a variable frame rate, so the reader turns frames upright
//! and reports each frame's own presentation time instead of `index / fps`.

use std::path::{Path, PathBuf};

use opencv::core::{self, Mat, Rect, Size};
use opencv::prelude::*;
use opencv::videoio::{self, VideoCapture, VideoWriter};

use crate::error::{CvContext, Error, Result};

/// What the container and the first frames say about a video.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq)]
pub struct VideoInfo {
    pub path: PathBuf,
    /// Size of the upright frames that liftlens analyses (after rotation).
    pub width: i32,
    pub height: i32,
    /// Average frame rate; per-frame times are in poses.csv.
    pub fps: f64,
    /// Frames actually decoded (the header's count can be wrong).
    pub frames: usize,
    pub duration_s: f64,
    /// Clockwise rotation the file asked for and liftlens applied (0, 90, 180, 270).
    pub rotation: i32,
    /// The part of the frame that holds picture, in upright pixels: narrower
    /// than the frame for pillarboxed (or letterboxed) footage.
    pub content: ContentRect,
    /// Where an edited clip cuts to another shot (none for one take).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cuts: Vec<ShotCut>,
    /// With cuts, the frames analysed (first and last): one shot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analysed_frames: Option<[usize; 2]>,
}

/// The first frame of a new shot.
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize, PartialEq)]
pub struct ShotCut {
    pub frame: usize,
    pub time_s: f64,
}

/// The shots between `cuts` (first frames of new shots, in order) in a
/// clip of `frames`, in order.
pub fn shots(cuts: &[usize], frames: usize) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for end in cuts.iter().copied().chain([frames]) {
        let end = end.clamp(start, frames);
        if end > start {
            out.push(start..end);
        }
        start = end;
    }
    out
}

#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize, PartialEq)]
pub struct ContentRect {
    pub x: i32,
    pub y: i32,
    pub width: i32,
    pub height: i32,
}

impl ContentRect {
    pub fn full(width: i32, height: i32) -> Self {
        ContentRect {
            x: 0,
            y: 0,
            width,
            height,
        }
    }
    pub fn rect(&self) -> Rect {
        Rect::new(self.x, self.y, self.width, self.height)
    }
    pub fn is_full(&self, width: i32, height: i32) -> bool {
        self.x == 0 && self.y == 0 && self.width == width && self.height == height
    }
}

/// One decoded, upright frame.
pub struct Frame {
    pub index: usize,
    pub time_s: f64,
    pub image: Mat,
}

/// Sequential reader with monotonic timestamps.
pub struct VideoReader {
    path: PathBuf,
    cap: VideoCapture,
    fps: f64,
    header_frames: usize,
    rotation: i32,
    next_index: usize,
    last_time_s: f64,
}

/// A dark band must stay below this grey level on every sampled frame to
/// count as a pillarbox/letterbox bar (compressed black bars reach 20-30).
const BAR_MAX_GREY: f64 = 40.0;
/// Frames sampled to find bars: caption graphics move, picture content moves,
/// bars never do.
const BAR_SAMPLE_FRAMES: usize = 25;

impl VideoReader {
    pub fn open(path: &Path) -> Result<Self> {
        if !path.exists() {
            return Err(Error::VideoMissing {
                path: path.to_path_buf(),
            });
        }
        if path.is_dir() {
            return Err(Error::Usage(format!(
                "{} is a folder; pass a video file, or use batch mode with a folder of videos",
                path.display()
            )));
        }
        let unreadable = |reason: &str| Error::VideoUnreadable {
            path: path.to_path_buf(),
            reason: reason.to_string(),
        };
        let name = path.to_str().ok_or_else(|| unreadable("the path is not valid UTF-8"))?;
        let mut cap = VideoCapture::from_file(name, videoio::CAP_FFMPEG).map_err(|e| unreadable(&e.message))?;
        if !cap.is_opened().unwrap_or(false) {
            return Err(unreadable("FFmpeg could not open it"));
        }
        // Ask FFmpeg to apply the rotation tag; we report what it was.
        let _ = cap.set(videoio::CAP_PROP_ORIENTATION_AUTO, 1.0);
        let rotation = cap.get(videoio::CAP_PROP_ORIENTATION_META).unwrap_or(0.0).round() as i32;
        let fps = cap.get(videoio::CAP_PROP_FPS).unwrap_or(0.0);
        let header_frames = cap.get(videoio::CAP_PROP_FRAME_COUNT).unwrap_or(0.0).max(0.0) as usize;
        let width = cap.get(videoio::CAP_PROP_FRAME_WIDTH).unwrap_or(0.0);
        if width <= 0.0 {
            return Err(unreadable("it has no video stream"));
        }
        Ok(VideoReader {
            path: path.to_path_buf(),
            cap,
            fps: if fps.is_finite() && fps > 1.0 && fps < 1000.0 {
                fps
            } else {
                30.0
            },
            header_frames,
            rotation: rotation.rem_euclid(360),
            next_index: 0,
            last_time_s: f64::NEG_INFINITY,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
    pub fn nominal_fps(&self) -> f64 {
        self.fps
    }
    pub fn header_frames(&self) -> usize {
        self.header_frames
    }
    pub fn rotation(&self) -> i32 {
        self.rotation
    }

    /// The next frame, or `None` at the end of the stream.
    pub fn read(&mut self) -> Result<Option<Frame>> {
        let mut image = Mat::default();
        let ok = self.cap.read(&mut image).cv("video decode")?;
        if !ok || image.empty() {
            return Ok(None);
        }
        let index = self.next_index;
        self.next_index += 1;
        // The FFmpeg backend reports the presentation time of the frame just
        // read. Some containers give 0 or repeats; fall back to the nominal
        // rate, and never let time run backwards.
        let pts_ms = self.cap.get(videoio::CAP_PROP_POS_MSEC).unwrap_or(f64::NAN);
        let nominal = index as f64 / self.fps;
        let mut time_s = if pts_ms.is_finite() && (pts_ms > 0.0 || index == 0) {
            pts_ms / 1000.0
        } else {
            nominal
        };
        if time_s <= self.last_time_s {
            time_s = self.last_time_s + 1.0 / self.fps;
        }
        self.last_time_s = time_s;
        Ok(Some(Frame { index, time_s, image }))
    }
}

/// Whether all of `r` lies in `image`.
pub fn inside(image: &Mat, r: Rect) -> bool {
    r.x >= 0 && r.y >= 0 && r.x + r.width <= image.cols() && r.y + r.height <= image.rows()
}

/// The part of `image` to work in: `picture` (pillarbox bars left out)
/// when it is a real part of the frame, else the whole frame.
pub fn picture_in(image: &Mat, picture: Rect) -> Rect {
    if picture.width > 8 && picture.height > 8 && inside(image, picture) {
        picture
    } else {
        Rect::new(0, 0, image.cols(), image.rows())
    }
}

/// Side of the thumbnail a cut is judged on: small enough to ignore noise
/// and compression, big enough to see the picture change.
const CUT_THUMB: (i32, i32) = (128, 72);
/// The thumbnail is judged in this many columns and rows of cells.
const CUT_CELLS: i32 = 4;
/// Border (thumbnail px) left out of the comparison: a camera move brings
/// new picture in at the edges.
const CUT_MARGIN: i32 = 4;

/// Where an edited clip cuts from one shot to another: a compilation's
/// previous clip for a few frames, a replay, a second angle. Tracking
/// across a cut would carry the lifter and the plate from one picture into
/// another. A cut changes the whole picture at once; the lifter's motion
/// changes a part of it, and a camera knocked or panned moves all of it,
/// which a shift of the previous picture undoes.
pub struct CutDetector {
    settings: crate::profile::VideoProfile,
    previous: Option<Mat>,
    recent: std::collections::VecDeque<f64>,
    /// LIFTLENS_DEBUG_CUTS=1 prints every frame's figures to stderr.
    debug: bool,
}

/// How much a picture changed from the previous one: the mean over the
/// cells of each cell's change with its mean colour shift taken out (an
/// exposure step or a light switched on moves a cell's mean only), and
/// the share of cells that changed by `cell_min` or more.
fn cell_change(previous: &Mat, current: &Mat, cell_min: f64) -> Result<(f64, f64)> {
    let mut diff = Mat::default();
    core::subtract(current, previous, &mut diff, &core::no_array(), -1).cv("cut change")?;
    let (w, h) = (CUT_THUMB.0 - 2 * CUT_MARGIN, CUT_THUMB.1 - 2 * CUT_MARGIN);
    let (cw, ch) = (w / CUT_CELLS, h / CUT_CELLS);
    let (mut total, mut changed) = (0.0, 0);
    for k in 0..CUT_CELLS * CUT_CELLS {
        let cell = Rect::new(
            CUT_MARGIN + (k % CUT_CELLS) * cw,
            CUT_MARGIN + (k / CUT_CELLS) * ch,
            cw,
            ch,
        );
        let part = Mat::roi(&diff, cell).cv("cut change")?;
        let shift = core::mean(&part, &core::no_array()).cv("cut change")?;
        let mut off = Mat::default();
        core::absdiff(&part, &shift, &mut off).cv("cut change")?;
        let per_channel = core::mean(&off, &core::no_array()).cv("cut change")?;
        let channels = off.channels().clamp(1, 4) as usize;
        let v = per_channel.0[..channels].iter().sum::<f64>() / channels as f64;
        total += v;
        if v >= cell_min {
            changed += 1;
        }
    }
    let n = (CUT_CELLS * CUT_CELLS) as f64;
    Ok((total / n, changed as f64 / n))
}

impl CutDetector {
    pub fn new(settings: &crate::profile::VideoProfile) -> Self {
        CutDetector {
            settings: settings.clone(),
            previous: None,
            recent: Default::default(),
            debug: std::env::var_os("LIFTLENS_DEBUG_CUTS").is_some(),
        }
    }

    /// Whether this frame (BGR, frames in order) starts a new shot. Only
    /// `picture` is looked at: pillarbox bars never change.
    pub fn process(&mut self, bgr: &Mat, picture: Rect) -> Result<bool> {
        let region = Mat::roi(bgr, picture_in(bgr, picture)).cv("cut region")?;
        let mut small = Mat::default();
        opencv::imgproc::resize(
            &region,
            &mut small,
            Size::new(CUT_THUMB.0, CUT_THUMB.1),
            0.0,
            0.0,
            opencv::imgproc::INTER_AREA,
        )
        .cv("cut thumbnail")?;
        let mut thumb = Mat::default();
        small
            .convert_to(&mut thumb, core::CV_32F, 1.0, 0.0)
            .cv("cut thumbnail")?;
        let Some(previous) = self.previous.replace(thumb.try_clone().cv("cut thumbnail")?) else {
            return Ok(false);
        };
        let cell_min = self.settings.cut_cell_min_change;
        let still = cell_change(&previous, &thumb, cell_min)?;
        // The camera's move between the two, undone: the whole picture's
        // shift (phase correlation of the grey thumbnails, sub-pixel).
        let grey = |m: &Mat| -> Result<Mat> {
            let mut g = Mat::default();
            opencv::imgproc::cvt_color(m, &mut g, opencv::imgproc::COLOR_BGR2GRAY, 0).cv("cut shift")?;
            Ok(g)
        };
        let shift = opencv::imgproc::phase_correlate(&grey(&previous)?, &grey(&thumb)?, &core::no_array(), None)
            .cv("cut shift")?;
        let m = Mat::from_slice_2d(&[[1.0f64, 0.0, shift.x], [0.0, 1.0, shift.y]]).cv("cut shift")?;
        let mut moved = Mat::default();
        opencv::imgproc::warp_affine(
            &previous,
            &mut moved,
            &m,
            Size::new(CUT_THUMB.0, CUT_THUMB.1),
            opencv::imgproc::INTER_LINEAR,
            core::BORDER_REPLICATE,
            core::Scalar::default(),
        )
        .cv("cut shift")?;
        let shifted = cell_change(&moved, &thumb, cell_min)?;
        // The lifter's motion can outweigh the background's in the shift
        // (a plain rendered room): the smaller change is the picture's own.
        let (change, changed_share) = if shifted.0 < still.0 { shifted } else { still };
        let usual = crate::signal::median(self.recent.iter().copied())
            .unwrap_or(0.0)
            .max(0.5);
        if self.debug {
            eprintln!(
                "cut? change {change:.2} (still {:.2}, camera move undone {:.2}: {:.1},{:.1} px), {:.0}% of cells, {:.1}x the usual {usual:.2}",
                still.0,
                shifted.0,
                shift.x,
                shift.y,
                100.0 * changed_share,
                change / usual
            );
        }
        let cut = change >= self.settings.cut_min_change
            && change >= self.settings.cut_min_ratio * usual
            && changed_share >= self.settings.cut_min_changed_share;
        if cut {
            // The new shot's own changes are the yardstick from here.
            self.recent.clear();
        } else {
            self.recent.push_back(change);
            while self.recent.len() > self.settings.cut_history.max(1) {
                self.recent.pop_front();
            }
        }
        Ok(cut)
    }
}

/// Find pillarbox or letterbox bars: rows/columns that stay dark on frames
/// spread through the clip. Runs on its own capture so the main reader
/// starts at frame 0.
pub fn detect_content(path: &Path, header_frames: usize) -> Result<ContentRect> {
    let mut reader = VideoReader::open(path)?;
    let step = (header_frames / BAR_SAMPLE_FRAMES).max(1);
    let mut max_grey: Option<Mat> = None;
    let mut sampled = 0;
    while sampled < BAR_SAMPLE_FRAMES {
        let Some(frame) = reader.read()? else { break };
        if frame.index % step != 0 {
            continue;
        }
        let mut grey = Mat::default();
        opencv::imgproc::cvt_color(&frame.image, &mut grey, opencv::imgproc::COLOR_BGR2GRAY, 0)
            .cv("pillarbox detection")?;
        max_grey = Some(match max_grey {
            None => grey,
            Some(prev) => {
                let mut out = Mat::default();
                core::max(&prev, &grey, &mut out).cv("pillarbox detection")?;
                out
            }
        });
        sampled += 1;
    }
    let Some(max_grey) = max_grey else {
        return Err(Error::VideoUnreadable {
            path: path.to_path_buf(),
            reason: "no frame could be decoded".into(),
        });
    };
    let (w, h) = (max_grey.cols(), max_grey.rows());
    let mut col_max = Mat::default();
    let mut row_max = Mat::default();
    core::reduce(&max_grey, &mut col_max, 0, core::REDUCE_MAX, core::CV_8U).cv("pillarbox detection")?;
    core::reduce(&max_grey, &mut row_max, 1, core::REDUCE_MAX, core::CV_8U).cv("pillarbox detection")?;
    let bright = |m: &Mat, i: i32| -> bool {
        let v = if m.rows() == 1 {
            *m.at_2d::<u8>(0, i).unwrap_or(&255)
        } else {
            *m.at_2d::<u8>(i, 0).unwrap_or(&255)
        };
        f64::from(v) > BAR_MAX_GREY
    };
    let x0 = (0..w).find(|&i| bright(&col_max, i)).unwrap_or(0);
    let x1 = (0..w).rev().find(|&i| bright(&col_max, i)).unwrap_or(w - 1);
    let y0 = (0..h).find(|&i| bright(&row_max, i)).unwrap_or(0);
    let y1 = (0..h).rev().find(|&i| bright(&row_max, i)).unwrap_or(h - 1);
    let (cw, ch) = (x1 - x0 + 1, y1 - y0 + 1);
    // Only call it a bar when it is substantial and the picture left is
    // plausible; a dark scene edge is not a pillarbox.
    let content = if cw >= w / 5 && ch >= h / 5 && (w - cw > w / 20 || h - ch > h / 20) {
        ContentRect {
            x: x0,
            y: y0,
            width: cw,
            height: ch,
        }
    } else {
        ContentRect::full(w, h)
    };
    Ok(content)
}

/// H.264 writer for the annotated video: written under a temporary name and
/// renamed by `finish`, so an interrupted run never leaves a half file that
/// looks complete.
///
/// Encoding dominates a whole run (OpenCV 4.6's writer uses x264's medium
/// preset and takes no options: 9.5 fps for a 1080p analysis), so frames are
/// piped to the ffmpeg program with the veryfast preset and the index moved
/// to the front (plays while loading in a browser); without ffmpeg on PATH
/// (or at LIFTLENS_FFMPEG), OpenCV's writer does the job.
pub struct AnnotatedWriter {
    sink: Sink,
    tmp: PathBuf,
    dest: PathBuf,
    frames: usize,
}

enum Sink {
    Ffmpeg(std::process::Child),
    OpenCv(VideoWriter),
}

impl AnnotatedWriter {
    pub fn create(dest: &Path, fps: f64, width: i32, height: i32) -> Result<Self> {
        let tmp = dest.with_file_name(format!(
            ".{}.partial.mp4",
            dest.file_stem().and_then(|s| s.to_str()).unwrap_or("annotated")
        ));
        let fail = |reason: String| Error::OutputWrite {
            path: dest.to_path_buf(),
            reason,
        };
        let name = tmp.to_str().ok_or_else(|| fail("path is not valid UTF-8".into()))?;
        let program = std::env::var_os("LIFTLENS_FFMPEG").unwrap_or_else(|| "ffmpeg".into());
        let ffmpeg = std::process::Command::new(program)
            .args(["-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "bgr24", "-s"])
            .arg(format!("{width}x{height}"))
            .arg("-r")
            .arg(format!("{fps:.6}"))
            .args(["-i", "-", "-an", "-c:v", "libx264", "-preset", "veryfast", "-crf", "20"])
            .args(["-pix_fmt", "yuv420p", "-movflags", "+faststart", "-f", "mp4", name])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .spawn();
        let sink = match ffmpeg {
            Ok(child) => Sink::Ffmpeg(child),
            Err(_) => {
                let fourcc = VideoWriter::fourcc('a', 'v', 'c', '1').cv("video writer")?;
                let writer = VideoWriter::new_with_backend(
                    name,
                    videoio::CAP_FFMPEG,
                    fourcc,
                    fps,
                    Size::new(width, height),
                    true,
                )
                .cv("video writer")?;
                if !writer.is_opened().unwrap_or(false) {
                    return Err(fail(
                        "OpenCV's FFmpeg backend could not start an H.264 (libx264) encoder".into(),
                    ));
                }
                Sink::OpenCv(writer)
            }
        };
        Ok(AnnotatedWriter {
            sink,
            tmp,
            dest: dest.to_path_buf(),
            frames: 0,
        })
    }

    pub fn write(&mut self, frame: &Mat) -> Result<()> {
        match &mut self.sink {
            Sink::Ffmpeg(child) => {
                use std::io::Write as _;
                // A ROI view is not one block of bytes: pack it first. A
                // whole frame is written as it is, without a copy.
                let packed;
                let frame = if frame.is_continuous() {
                    frame
                } else {
                    packed = frame.try_clone().cv("video writer")?;
                    &packed
                };
                let bytes = frame.data_bytes().cv("video writer")?;
                let stdin = child.stdin.as_mut().ok_or_else(|| Error::OutputWrite {
                    path: self.dest.clone(),
                    reason: "the ffmpeg encoder closed its input".into(),
                })?;
                stdin.write_all(bytes).map_err(|e| Error::OutputWrite {
                    path: self.dest.clone(),
                    reason: format!("the ffmpeg encoder stopped: {e}"),
                })?;
            }
            Sink::OpenCv(w) => w.write(frame).cv("video writer")?,
        }
        self.frames += 1;
        Ok(())
    }

    pub fn finish(mut self) -> Result<usize> {
        match &mut self.sink {
            Sink::Ffmpeg(child) => {
                drop(child.stdin.take());
                let status = child.wait().map_err(|e| Error::OutputWrite {
                    path: self.dest.clone(),
                    reason: e.to_string(),
                })?;
                if !status.success() {
                    return Err(Error::OutputWrite {
                        path: self.dest.clone(),
                        reason: format!("the ffmpeg encoder failed ({status})"),
                    });
                }
            }
            Sink::OpenCv(w) => w.release().cv("video writer")?,
        }
        std::fs::rename(&self.tmp, &self.dest).map_err(|e| Error::OutputWrite {
            path: self.dest.clone(),
            reason: e.to_string(),
        })?;
        Ok(self.frames)
    }
}

impl Drop for AnnotatedWriter {
    fn drop(&mut self) {
        // Unfinished: stop the encoder and remove the partial file (finish()
        // already renamed it otherwise).
        if let Sink::Ffmpeg(child) = &mut self.sink {
            drop(child.stdin.take());
            let _ = child.wait();
        }
        let _ = std::fs::remove_file(&self.tmp);
    }
}

/// Encode `image` as PNG and write it under a temporary name, then rename:
/// a picture is either whole or absent.
pub fn write_png_atomic(path: &Path, image: &Mat) -> Result<()> {
    let mut buf: opencv::core::Vector<u8> = opencv::core::Vector::new();
    opencv::imgcodecs::imencode(".png", image, &mut buf, &opencv::core::Vector::new()).cv("PNG encode")?;
    crate::report::write_atomic(path, buf.as_slice())
}

#[cfg(test)]
mod tests {
    use super::*;
    use opencv::core::{Scalar, CV_8UC3};

    /// A 320x180 scene of coloured 20 px tiles (`seed` picks the colours)
    /// with a light square, the moving "lifter", at `x`.
    fn scene(seed: u32, x: i32) -> Mat {
        let mut img = Mat::new_rows_cols_with_default(180, 320, CV_8UC3, Scalar::all(0.0)).unwrap();
        let mut state = seed.wrapping_mul(2_654_435_761).max(1);
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            (state % 200) as f64 + 20.0
        };
        for ty in 0..9 {
            for tx in 0..16 {
                let colour = Scalar::new(next(), next(), next(), 0.0);
                opencv::imgproc::rectangle(
                    &mut img,
                    Rect::new(tx * 20, ty * 20, 20, 20),
                    colour,
                    -1,
                    opencv::imgproc::LINE_8,
                    0,
                )
                .unwrap();
            }
        }
        opencv::imgproc::rectangle(
            &mut img,
            Rect::new(x, 60, 40, 80),
            Scalar::all(250.0),
            -1,
            opencv::imgproc::LINE_8,
            0,
        )
        .unwrap();
        img
    }

    fn cuts_in(frames: &[Mat], picture: Rect) -> Vec<usize> {
        let mut d = CutDetector::new(&crate::profile::VideoProfile::default());
        (0..frames.len())
            .filter(|&i| d.process(&frames[i], picture).unwrap())
            .collect()
    }

    #[test]
    fn a_cut_is_where_the_whole_picture_changes_not_where_the_lifter_moves() {
        let frames: Vec<Mat> = (0..30).map(|i| scene(if i < 20 { 1 } else { 2 }, 20 + 8 * i)).collect();
        let full = Rect::new(0, 0, 320, 180);
        assert_eq!(cuts_in(&frames, full), vec![20]);
        // The same scene throughout: the square's motion is no cut.
        let one_shot: Vec<Mat> = (0..30).map(|i| scene(1, 20 + 8 * i)).collect();
        assert!(cuts_in(&one_shot, full).is_empty());
    }

    #[test]
    fn a_caption_graphic_popping_up_is_not_a_cut() {
        // An edited clip's graphic (bichraix's red cross and caption) fills
        // the top left quarter of the picture from one frame to the next:
        // a big change, but in a part of the picture.
        let frames: Vec<Mat> = (0..20)
            .map(|i| {
                let mut img = scene(1, 200 + 2 * i);
                if i >= 10 {
                    opencv::imgproc::rectangle(
                        &mut img,
                        Rect::new(0, 0, 160, 90),
                        Scalar::new(30.0, 30.0, 230.0, 0.0),
                        -1,
                        opencv::imgproc::LINE_8,
                        0,
                    )
                    .unwrap();
                }
                img
            })
            .collect();
        assert!(cuts_in(&frames, Rect::new(0, 0, 320, 180)).is_empty());
    }

    #[test]
    fn a_knocked_camera_is_not_a_cut() {
        // The whole picture jumps 2 % of its width and 1 % of its height
        // from one frame to the next, twice.
        let big = scene(5, 300);
        let frames: Vec<Mat> = (0..20)
            .map(|i| {
                let (dx, dy) = match i {
                    0..=7 => (0, 0),
                    8..=13 => (6, 2),
                    _ => (-4, 3),
                };
                Mat::roi(&big, Rect::new(20 + dx, 20 + dy, 280, 140))
                    .unwrap()
                    .try_clone()
                    .unwrap()
            })
            .collect();
        assert!(cuts_in(&frames, Rect::new(0, 0, 280, 140)).is_empty());
        // The same frames with a new scene from frame 14 on: a cut.
        let other = scene(6, 300);
        let cut: Vec<Mat> = (0..20)
            .map(|i| {
                let from = if i < 14 { &big } else { &other };
                Mat::roi(from, Rect::new(20, 20, 280, 140))
                    .unwrap()
                    .try_clone()
                    .unwrap()
            })
            .collect();
        assert_eq!(cuts_in(&cut, Rect::new(0, 0, 280, 140)), vec![14]);
    }

    #[test]
    fn an_exposure_step_is_not_a_cut() {
        let frames: Vec<Mat> = (0..20)
            .map(|i| {
                let img = scene(1, 20 + 4 * i);
                if i < 10 {
                    return img;
                }
                let mut brighter = Mat::default();
                opencv::core::add(&img, &Scalar::all(35.0), &mut brighter, &opencv::core::no_array(), -1).unwrap();
                brighter
            })
            .collect();
        assert!(cuts_in(&frames, Rect::new(0, 0, 320, 180)).is_empty());
    }

    #[test]
    fn only_the_picture_between_pillarbox_bars_is_judged() {
        // The new shot changes only a 40 px strip of the frame: over the
        // whole frame, black bars and all, the change is diluted below the
        // threshold; over the strip it is a cut.
        let frames: Vec<Mat> = (0..20)
            .map(|i| {
                let mut img = Mat::new_rows_cols_with_default(180, 320, CV_8UC3, Scalar::all(0.0)).unwrap();
                let shot = scene(if i < 12 { 3 } else { 4 }, 10 + i);
                let strip = Mat::roi(&shot, Rect::new(0, 0, 40, 180)).unwrap();
                let mut dest = Mat::roi_mut(&mut img, Rect::new(140, 0, 40, 180)).unwrap();
                strip.copy_to(&mut dest).unwrap();
                img
            })
            .collect();
        assert_eq!(cuts_in(&frames, Rect::new(140, 0, 40, 180)), vec![12]);
        assert!(cuts_in(&frames, Rect::new(0, 0, 320, 180)).is_empty());
    }

    #[test]
    fn cuts_split_the_clip_into_shots() {
        assert_eq!(shots(&[], 10), vec![0..10]);
        // bichraix bad012: two frames of the previous clip.
        assert_eq!(shots(&[2], 117), vec![0..2, 2..117]);
        assert_eq!(shots(&[3, 4, 9], 12), vec![0..3, 3..4, 4..9, 9..12]);
        // A cut on the first frame or past the end makes no empty shot.
        assert_eq!(shots(&[0, 12], 12), vec![0..12]);
    }
}
