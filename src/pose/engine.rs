//! Inference backends. ONNX Runtime is the fast path (about 3x OpenCV DNN on
//! BlazePose); OpenCV DNN keeps liftlens working when the ONNX Runtime
//! library is not installed. Both run the same .onnx files (Relu6 rewritten
//! as 6*HardSigmoid so OpenCV 4.6 can load them).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use opencv::core::{Mat, Vector};
use opencv::dnn;
use opencv::prelude::*;

use crate::error::{CvContext, Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    /// ONNX Runtime if its library is found, else OpenCV DNN.
    Auto,
    /// ONNX Runtime (error if the library is missing).
    Ort,
    /// OpenCV DNN.
    Opencv,
}

/// A loaded network: NHWC float input in, named float outputs back in a fixed order.
pub trait Engine: Send {
    fn run(&mut self, input: &[f32], shape: [usize; 4]) -> Result<Vec<Vec<f32>>>;
}

pub struct OrtEngine {
    session: ort::session::Session,
    outputs: Vec<String>,
}

pub struct OpenCvEngine {
    net: dnn::Net,
    outputs: Vector<String>,
}

static ORT_READY: OnceLock<std::result::Result<(PathBuf, ort::environment::Environment), String>> = OnceLock::new();

/// Where the ONNX Runtime shared library may be: explicit variables first,
/// then beside the binary, then the per-user place scripts/setup installs to.
pub fn ort_candidates() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for var in ["LIFTLENS_ORT", "ORT_DYLIB_PATH"] {
        if let Some(v) = std::env::var_os(var).filter(|v| !v.is_empty()) {
            out.push(PathBuf::from(v));
        }
    }
    if let Ok(exe) = std::env::current_exe() {
        if let Some(dir) = exe.parent() {
            out.push(dir.join("libonnxruntime.so"));
            out.push(dir.join("lib").join("libonnxruntime.so"));
        }
    }
    if let Some(home) = std::env::var_os("HOME") {
        out.push(PathBuf::from(home).join(".local/share/liftlens/onnxruntime/libonnxruntime.so"));
    }
    out.push(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".ort/libonnxruntime.so"));
    out.push(PathBuf::from("/usr/local/lib/libonnxruntime.so"));
    out
}

/// Load ONNX Runtime once per process. `ort` panics at first use when the
/// library is missing, so we look for it ourselves and never let it guess.
pub fn ort_library() -> std::result::Result<&'static Path, String> {
    ort_environment().map(|(path, _)| path.as_path())
}

fn ort_environment() -> std::result::Result<&'static (PathBuf, ort::environment::Environment), String> {
    ORT_READY
        .get_or_init(|| {
            let candidates = ort_candidates();
            let Some(found) = candidates.iter().find(|p| p.is_file()) else {
                return Err(candidates
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", "));
            };
            let env = ort::init_from(found)
                .map_err(|e| format!("{}: {e}", found.display()))?
                .with_name("liftlens")
                .build()
                .map_err(|e| format!("{}: {e}", found.display()))?;
            Ok((found.clone(), env))
        })
        .as_ref()
        .map_err(|e| e.clone())
}

pub fn resolve_backend(requested: Backend) -> Result<Backend> {
    match requested {
        Backend::Opencv => Ok(Backend::Opencv),
        Backend::Ort => ort_library()
            .map(|_| Backend::Ort)
            .map_err(|searched| Error::OrtMissing { searched }),
        Backend::Auto => Ok(if ort_library().is_ok() {
            Backend::Ort
        } else {
            Backend::Opencv
        }),
    }
}

pub fn load(backend: Backend, model: &Path, outputs: &[&str]) -> Result<Box<dyn Engine>> {
    if !model.is_file() {
        return Err(Error::ModelMissing {
            path: model.to_path_buf(),
        });
    }
    match resolve_backend(backend)? {
        Backend::Ort => Ok(Box::new(OrtEngine::load(model, outputs)?)),
        _ => Ok(Box::new(OpenCvEngine::load(model, outputs)?)),
    }
}

fn ort_err(e: impl std::fmt::Display) -> Error {
    Error::Inference {
        stage: "onnxruntime",
        reason: e.to_string(),
    }
}

impl OrtEngine {
    pub fn load(model: &Path, outputs: &[&str]) -> Result<Self> {
        let (_, env) = ort_environment().map_err(|searched| Error::OrtMissing { searched })?;
        // One intra-op thread: the decoder thread has the other core.
        let session = ort::session::Session::builder(env)
            .map_err(ort_err)?
            .with_intra_threads(1)
            .map_err(ort_err)?
            .commit_from_file(model)
            .map_err(ort_err)?;
        Ok(OrtEngine {
            session,
            outputs: outputs.iter().map(|s| s.to_string()).collect(),
        })
    }
}

impl Engine for OrtEngine {
    fn run(&mut self, input: &[f32], shape: [usize; 4]) -> Result<Vec<Vec<f32>>> {
        let tensor = ort::value::TensorRef::from_array_view((shape, input)).map_err(ort_err)?;
        let out = self.session.run(ort::inputs!["input_1" => tensor]).map_err(ort_err)?;
        self.outputs
            .iter()
            .map(|name| {
                let value = out
                    .get(name.as_str())
                    .ok_or_else(|| ort_err(format!("model has no output {name}")))?;
                let (_, data) = value.try_extract_tensor::<f32>().map_err(ort_err)?;
                Ok(data.to_vec())
            })
            .collect()
    }
}

impl OpenCvEngine {
    pub fn load(model: &Path, outputs: &[&str]) -> Result<Self> {
        let name = model.to_str().ok_or_else(|| Error::ModelMissing {
            path: model.to_path_buf(),
        })?;
        let mut net = dnn::read_net_from_onnx(name).cv("loading the pose model in OpenCV DNN")?;
        net.set_preferable_backend(dnn::DNN_BACKEND_OPENCV).cv("OpenCV DNN")?;
        net.set_preferable_target(dnn::DNN_TARGET_CPU).cv("OpenCV DNN")?;
        Ok(OpenCvEngine {
            net,
            outputs: outputs.iter().copied().collect(),
        })
    }
}

impl Engine for OpenCvEngine {
    fn run(&mut self, input: &[f32], shape: [usize; 4]) -> Result<Vec<Vec<f32>>> {
        let dims: Vec<i32> = shape.iter().map(|&d| d as i32).collect();
        let flat = Mat::from_slice(input).cv("OpenCV DNN input")?;
        let blob = flat.reshape_nd(1, &dims).cv("OpenCV DNN input")?;
        self.net
            .set_input(&blob, "", 1.0, opencv::core::Scalar::default())
            .cv("OpenCV DNN")?;
        let mut outs: Vector<Mat> = Vector::new();
        self.net.forward(&mut outs, &self.outputs).cv("OpenCV DNN forward")?;
        outs.iter()
            .map(|m| {
                let m = if m.is_continuous() {
                    m
                } else {
                    m.try_clone().cv("OpenCV DNN output")?
                };
                Ok(m.data_typed::<f32>().cv("OpenCV DNN output")?.to_vec())
            })
            .collect()
    }
}
