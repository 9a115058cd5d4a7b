//! ONNX Runtime and the OpenCV DNN fallback must give the same landmarks.

mod util;

use liftlens::pose::detector::Detector;
use liftlens::pose::engine::{ort_library, Backend};
use liftlens::pose::landmarks::{LandmarkModel, Roi, INPUT};
use liftlens::pose::{models_dir, PoseModel, DETECTOR_FILE};
use liftlens::video::VideoReader;
use opencv::core::Rect;
use opencv::prelude::*;

#[test]
fn onnxruntime_and_opencv_agree_on_the_same_frame() {
    assert!(
        ort_library().is_ok(),
        "ONNX Runtime library not installed: run scripts/setup"
    );
    let mut reader = VideoReader::open(&util::sample("deadlift_clean.mp4")).unwrap();
    let frame = reader.read().unwrap().unwrap();
    let region = Rect::new(0, 0, frame.image.cols(), frame.image.rows());
    let models = models_dir().unwrap();

    let mut det_ort = Detector::load(Backend::Ort, &models.join(DETECTOR_FILE)).unwrap();
    let mut det_cv = Detector::load(Backend::Opencv, &models.join(DETECTOR_FILE)).unwrap();
    let a = det_ort.detect(&frame.image, region).unwrap();
    let b = det_cv.detect(&frame.image, region).unwrap();
    assert_eq!(a.len(), b.len(), "same number of people");
    assert!(!a.is_empty(), "the lifter is detected");
    for (k, (pa, pb)) in a[0].keypoints.iter().zip(&b[0].keypoints).enumerate() {
        assert!(
            (pa.0 - pb.0).abs() < 0.05 && (pa.1 - pb.1).abs() < 0.05,
            "detector keypoint {k}: {pa:?} vs {pb:?}"
        );
    }

    let roi = Roi::from_alignment(a[0].keypoints[0], a[0].keypoints[1]);
    let file = models.join(PoseModel::Full.file_name());
    let la = LandmarkModel::load(Backend::Ort, &file)
        .unwrap()
        .run(&frame.image, roi)
        .unwrap();
    let lb = LandmarkModel::load(Backend::Opencv, &file)
        .unwrap()
        .run(&frame.image, roi)
        .unwrap();
    assert!((la.pose_flag - lb.pose_flag).abs() < 1e-3);
    let mut worst: f32 = 0.0;
    for (pa, pb) in la.points.iter().zip(&lb.points).take(33) {
        // In the model's own units (fraction of the crop), as the brief states the tolerance.
        let d = ((pa.x - pb.x).abs().max((pa.y - pb.y).abs())) / roi.size;
        worst = worst.max(d).max((pa.visibility - pb.visibility).abs());
    }
    assert!(
        worst < 1e-3,
        "largest landmark difference {worst} (fraction of the crop)"
    );
    assert_eq!(INPUT, 256);
}
