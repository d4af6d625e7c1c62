//! Element types the 4-byte kernels are generic over, and lane-wise helpers.
//!
//! Both `f32` and `i32` fill a `v128` with four lanes, so one contiguous loop serves both;
//! the per-type part (how to broadcast a scalar) lives here.

#[cfg(target_feature = "simd128")]
use core::arch::wasm32::*;

/// A 4-byte element type of the kernels.
pub trait Lane: Copy + Default {
    /// Four copies of `self`.
    #[cfg(target_feature = "simd128")]
    fn splat(self) -> v128;
}

impl Lane for f32 {
    #[cfg(target_feature = "simd128")]
    #[inline(always)]
    fn splat(self) -> v128 {
        f32x4_splat(self)
    }
}

impl Lane for i32 {
    #[cfg(target_feature = "simd128")]
    #[inline(always)]
    fn splat(self) -> v128 {
        i32x4_splat(self)
    }
}

/// Applies a scalar `f32` function to each lane (for ops with no vector form, e.g. `pow`).
#[cfg(target_feature = "simd128")]
#[inline(always)]
pub fn map_lanes_f32(a: v128, b: v128, f: impl Fn(f32, f32) -> f32) -> v128 {
    f32x4(
        f(f32x4_extract_lane::<0>(a), f32x4_extract_lane::<0>(b)),
        f(f32x4_extract_lane::<1>(a), f32x4_extract_lane::<1>(b)),
        f(f32x4_extract_lane::<2>(a), f32x4_extract_lane::<2>(b)),
        f(f32x4_extract_lane::<3>(a), f32x4_extract_lane::<3>(b)),
    )
}

/// Applies a scalar `i32` function to each lane (integer division has no SIMD instruction).
#[cfg(target_feature = "simd128")]
#[inline(always)]
pub fn map_lanes_i32(a: v128, b: v128, f: impl Fn(i32, i32) -> i32) -> v128 {
    i32x4(
        f(i32x4_extract_lane::<0>(a), i32x4_extract_lane::<0>(b)),
        f(i32x4_extract_lane::<1>(a), i32x4_extract_lane::<1>(b)),
        f(i32x4_extract_lane::<2>(a), i32x4_extract_lane::<2>(b)),
        f(i32x4_extract_lane::<3>(a), i32x4_extract_lane::<3>(b)),
    )
}
