//! The sample renderer's own checks: a short clip renders identically twice,
//! and its truth agrees with what was drawn (keypoints on the body's mask,
//! bar centre and radius on the drawn plate). Needs .venv-synth from
//! scripts/setup.

mod util;

#[test]
fn renderer_is_deterministic_and_its_truth_matches_the_pixels() {
    let py = util::repo().join(".venv-synth/bin/python");
    assert!(py.is_file(), "{} missing: run scripts/setup", py.display());
    let out = std::process::Command::new(&py)
        .arg(util::repo().join("tools/synth/test_synth.py"))
        .output()
        .expect("python runs");
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "renderer self-check failed:\n{text}");
    assert!(text.contains("Ran 5 tests") && text.contains("OK"), "{text}");
}
