//! `f32` transcendental functions (no_std has no libm), scalar and `simd128` forms.
//!
//! Both forms evaluate the same formulas (Cephes `expf`/`logf`/`tanhf` polynomials) in the same
//! operation order, so the two builds give the same results. Max relative error against f64 `Math.*` over 1e6-point sweeps,
//! including the final rounding to f32 (half an ulp is 6e-8): exp 8.2e-8 on [-87, 88],
//! log 7.7e-8 on [1e-3, 1e3] (absolute near 1), tanh 1.4e-7 on [-12, 12], sigmoid 1.5e-7 on
//! [-60, 40]. `test/unit/wasm-math.test.ts` asserts ≤ 3e-7 / 4e-7 and the special values.
//! `sqrt` is correctly rounded.

#[cfg(target_feature = "simd128")]
use core::arch::wasm32::*;

const LOG2E: f32 = core::f32::consts::LOG2_E;
/// ln 2 split so that `k * LN2_HI` is exact for |k| < 2^15 (Cody–Waite reduction).
const LN2_HI: f32 = 0.693_359_375;
const LN2_LO: f32 = -2.121_944_4e-4;
const SQRT_HALF: f32 = core::f32::consts::FRAC_1_SQRT_2;
/// 1.5 · 2^23: adding and subtracting it rounds |x| < 2^22 to the nearest integer.
const ROUND_MAGIC: f32 = 12_582_912.0;

/// Cephes `expf` polynomial: e^r ≈ 1 + r + r²·P(r) for |r| ≤ ln2/2.
const EXP_P: [f32; 6] = [1.987_569_2e-4, 1.398_199_9e-3, 8.333_452e-3, 4.166_579_6e-2, 1.666_666_5e-1, 5.000_000_1e-1];
/// Cephes `logf` polynomial: log(1+f) ≈ f − f²/2 + f³·P(f) for √½ ≤ 1+f < √2.
const LOG_P: [f32; 9] = [
    7.037_683_6e-2, -1.151_461e-1, 1.167_699_9e-1, -1.242_014_1e-1, 1.424_932_3e-1,
    -1.666_805_8e-1, 2.000_071_4e-1, -2.499_999_4e-1, 3.333_333_1e-1,
];
/// Cephes `tanhf` polynomial for |x| < 0.625: tanh x ≈ x + x³·P(x²).
const TANH_P: [f32; 5] = [-5.704_988_7e-3, 2.063_908_9e-2, -5.373_971_6e-2, 1.333_144_2e-1, -3.333_328_2e-1];

/// |x| by clearing the sign bit (core's `f32::abs` needs std on this toolchain).
#[inline(always)]
pub fn abs(x: f32) -> f32 {
    f32::from_bits(x.to_bits() & 0x7fff_ffff)
}

/// 2^k for -126 ≤ k ≤ 127, built from the exponent bits.
#[inline(always)]
fn pow2i(k: i32) -> f32 {
    f32::from_bits(((k + 127) as u32) << 23)
}

/// e^x: x = k·ln2 + r, e^r by polynomial, scaled by 2^k in two halves so results in the
/// subnormal range (k < -126) and overflow to +∞ (k = 128) come out right.
pub fn exp(x: f32) -> f32 {
    if x != x {
        return x;
    }
    let x = x.clamp(-104.0, 89.0);
    let k = (x * LOG2E + ROUND_MAGIC) - ROUND_MAGIC;
    let r = x - k * LN2_HI - k * LN2_LO;
    let mut p = EXP_P[0];
    for c in &EXP_P[1..] {
        p = p * r + c;
    }
    let e = p * r * r + r + 1.0;
    let k = k as i32;
    let k1 = k >> 1;
    e * pow2i(k1) * pow2i(k - k1)
}

/// ln x: x = m·2^e with √½ ≤ m < √2, ln m by polynomial in f = m − 1, plus e·ln2 in two parts.
pub fn log(x: f32) -> f32 {
    if !(x > 0.0) || x == f32::INFINITY {
        return if x == 0.0 { f32::NEG_INFINITY } else if x > 0.0 || x != x { x } else { f32::NAN };
    }
    let (mut bits, mut e) = (x.to_bits(), 0i32);
    if bits < 0x0080_0000 {
        // Subnormal: scale into the normal range first.
        bits = (x * 33_554_432.0).to_bits();
        e = -25;
    }
    e += (bits >> 23) as i32 - 126;
    let mut m = f32::from_bits((bits & 0x007f_ffff) | 0x3f00_0000);
    if m < SQRT_HALF {
        e -= 1;
        m = m + m - 1.0;
    } else {
        m -= 1.0;
    }
    log_tail(m, e as f32)
}

#[inline(always)]
fn log_tail(f: f32, fe: f32) -> f32 {
    let z = f * f;
    let mut p = LOG_P[0];
    for c in &LOG_P[1..] {
        p = p * f + c;
    }
    let mut y = p * f * z;
    y += LN2_LO * fe;
    y += -0.5 * z;
    (f + y) + LN2_HI * fe
}

/// tanh x: polynomial for |x| < 0.625, else sign(x)·(1 − 2/(e^{2|x|} + 1)).
pub fn tanh(x: f32) -> f32 {
    let ax = abs(x);
    if ax < 0.625 {
        let z = x * x;
        let mut p = TANH_P[0];
        for c in &TANH_P[1..] {
            p = p * z + c;
        }
        return p * z * x + x;
    }
    let t = 1.0 - 2.0 / (exp(ax + ax) + 1.0);
    f32::from_bits(t.to_bits() | (x.to_bits() & 0x8000_0000))
}

/// σ(x) = 1 / (1 + e^{−x}).
#[inline(always)]
pub fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + exp(-x))
}

/// √x, correctly rounded: the hardware instruction when SIMD is available.
#[cfg(target_feature = "simd128")]
#[inline(always)]
pub fn sqrt(x: f32) -> f32 {
    f32x4_extract_lane::<0>(f32x4_sqrt(f32x4_splat(x)))
}

/// √x without SIMD (core has no `sqrt` on this toolchain): Newton's iteration in f64 from an
/// exponent-halving guess converges to < 1 f64 ulp in 5 steps; rounding to f32 then gives
/// the correctly rounded result (a double-rounding tie is impossible for sqrt of a float).
#[cfg(not(target_feature = "simd128"))]
pub fn sqrt(x: f32) -> f32 {
    if !(x > 0.0) || x == f32::INFINITY {
        return if x == 0.0 || x == f32::INFINITY { x } else { f32::NAN };
    }
    let d = x as f64;
    let mut y = f64::from_bits((d.to_bits() >> 1) + 0x1ff8_0000_0000_0000);
    for _ in 0..5 {
        y = 0.5 * (y + d / y);
    }
    y as f32
}

/// x^y with JavaScript's `Math.pow` special cases. Integer exponents up to 64 in magnitude use
/// square-and-multiply in f64 (exact for the common x², x³, 1/x); others use e^{y·ln x}, whose
/// relative error grows like |y·ln x|·1e-7.
pub fn pow(x: f32, y: f32) -> f32 {
    if y == 0.0 {
        return 1.0;
    }
    if y != y || x != x || (abs(x) == 1.0 && abs(y) == f32::INFINITY) {
        return f32::NAN;
    }
    let yi = y as i32;
    if yi as f32 == y && yi.unsigned_abs() <= 64 {
        let (mut base, mut n, mut acc) = (x as f64, yi.unsigned_abs(), 1.0f64);
        while n > 0 {
            if n & 1 == 1 {
                acc *= base;
            }
            base *= base;
            n >>= 1;
        }
        return if yi < 0 { (1.0 / acc) as f32 } else { acc as f32 };
    }
    if y == 0.5 {
        return sqrt(x);
    }
    if x < 0.0 {
        // Negative base: defined only for integer y (odd y keeps the sign).
        let is_int = abs(y) >= 16_777_216.0 || (y as i32) as f32 == y;
        if !is_int {
            return f32::NAN;
        }
        let odd = abs(y) < 16_777_216.0 && (y as i32) & 1 == 1;
        let r = exp(y * log(-x));
        return if odd { -r } else { r };
    }
    exp(y * log(x))
}

/// Four-lane e^x, same algorithm as [`exp`]. The clamp uses `pmin`/`pmax` with the constant
/// first in the comparison, so a NaN lane passes through (and makes the result NaN), and k is
/// rounded with the same magic-number add as the scalar code, whose bits are k as an integer:
/// V8 spends one instruction on each of these, against about eight for each NaN-propagating
/// `f32x4.min`/`max` and the saturating float→int conversion used before.
#[cfg(target_feature = "simd128")]
#[inline(always)]
pub fn exp4(x: v128) -> v128 {
    // pmin(x, c) = c < x ? c : x, pmax(x, c) = x < c ? c : x: NaN lanes keep x.
    let x = f32x4_pmax(f32x4_pmin(x, f32x4_splat(89.0)), f32x4_splat(-104.0));
    let magic = f32x4_splat(ROUND_MAGIC);
    let km = f32x4_add(f32x4_mul(x, f32x4_splat(LOG2E)), magic); // k in the low mantissa bits
    let k = f32x4_sub(km, magic);
    let r = f32x4_sub(f32x4_sub(x, f32x4_mul(k, f32x4_splat(LN2_HI))), f32x4_mul(k, f32x4_splat(LN2_LO)));
    let mut p = f32x4_splat(EXP_P[0]);
    for c in &EXP_P[1..] {
        p = f32x4_add(f32x4_mul(p, r), f32x4_splat(*c));
    }
    let e = f32x4_add(f32x4_add(f32x4_mul(f32x4_mul(p, r), r), r), f32x4_splat(1.0));
    // |k| ≤ 151, so km's bits minus the magic's bits are k exactly (garbage only in NaN lanes,
    // where e is NaN already).
    let ki = i32x4_sub(km, magic);
    let k1 = i32x4_shr(ki, 1);
    let k2 = i32x4_sub(ki, k1);
    let bias = i32x4_splat(127);
    let s1 = i32x4_shl(i32x4_add(k1, bias), 23);
    let s2 = i32x4_shl(i32x4_add(k2, bias), 23);
    f32x4_mul(f32x4_mul(e, s1), s2)
}

/// Four-lane ln x, same algorithm as [`log`], special values patched in with selects.
#[cfg(target_feature = "simd128")]
#[inline(always)]
pub fn log4(x: v128) -> v128 {
    let sub = f32x4_lt(x, f32x4_splat(f32::MIN_POSITIVE));
    let xs = v128_bitselect(f32x4_mul(x, f32x4_splat(33_554_432.0)), x, sub);
    let bits = xs;
    let mut e = i32x4_sub(u32x4_shr(bits, 23), i32x4_splat(126));
    e = i32x4_add(e, v128_and(sub, i32x4_splat(-25)));
    let m = v128_or(v128_and(bits, i32x4_splat(0x007f_ffff)), i32x4_splat(0x3f00_0000));
    let small = f32x4_lt(m, f32x4_splat(SQRT_HALF));
    // e -= 1 where small (the mask is -1 there); m = small ? 2m - 1 : m - 1.
    e = i32x4_add(e, small);
    let m = f32x4_sub(f32x4_add(m, v128_and(m, small)), f32x4_splat(1.0));
    let fe = f32x4_convert_i32x4(e);
    let z = f32x4_mul(m, m);
    let mut p = f32x4_splat(LOG_P[0]);
    for c in &LOG_P[1..] {
        p = f32x4_add(f32x4_mul(p, m), f32x4_splat(*c));
    }
    let mut y = f32x4_mul(f32x4_mul(p, m), z);
    y = f32x4_add(y, f32x4_mul(f32x4_splat(LN2_LO), fe));
    y = f32x4_add(y, f32x4_mul(f32x4_splat(-0.5), z));
    let r = f32x4_add(f32x4_add(m, y), f32x4_mul(f32x4_splat(LN2_HI), fe));
    // Specials: x = +∞ → +∞ (and NaN → NaN via the add), 0 → −∞, x < 0 → NaN.
    let r = v128_bitselect(x, r, f32x4_eq(x, f32x4_splat(f32::INFINITY)));
    let r = v128_bitselect(f32x4_splat(f32::NEG_INFINITY), r, f32x4_eq(x, f32x4_splat(0.0)));
    let bad = v128_not(f32x4_ge(x, f32x4_splat(0.0)));
    v128_bitselect(f32x4_splat(f32::NAN), r, bad)
}

/// Four-lane tanh, same algorithm as [`tanh`]: both branches computed, then selected.
#[cfg(target_feature = "simd128")]
#[inline(always)]
pub fn tanh4(x: v128) -> v128 {
    let ax = f32x4_abs(x);
    let z = f32x4_mul(x, x);
    let mut p = f32x4_splat(TANH_P[0]);
    for c in &TANH_P[1..] {
        p = f32x4_add(f32x4_mul(p, z), f32x4_splat(*c));
    }
    let small = f32x4_add(f32x4_mul(f32x4_mul(p, z), x), x);
    let e = exp4(f32x4_add(ax, ax));
    let t = f32x4_sub(f32x4_splat(1.0), f32x4_div(f32x4_splat(2.0), f32x4_add(e, f32x4_splat(1.0))));
    let big = v128_or(t, v128_and(x, i32x4_splat(i32::MIN)));
    v128_bitselect(small, big, f32x4_lt(ax, f32x4_splat(0.625)))
}

/// Four-lane σ(x).
#[cfg(target_feature = "simd128")]
#[inline(always)]
pub fn sigmoid4(x: v128) -> v128 {
    let one = f32x4_splat(1.0);
    f32x4_div(one, f32x4_add(one, exp4(f32x4_neg(x))))
}
