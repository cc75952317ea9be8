//! Direction numbers of the Sobol' sequence: the first 64 dimensions of
//! Joe & Kuo's `new-joe-kuo-6.21201` (S. Joe and F. Y. Kuo, "Constructing
//! Sobol sequences with better two-dimensional projections", SIAM J. Sci.
//! Comput. 30, 2635–2654, 2008), the table behind SciPy's `qmc.Sobol` and
//! SALib. Each row is the file's line `d s a m_1 … m_s` for dimension `d`
//! (dimension 1, all `m = 1`, is implicit): `a` encodes the coefficients of
//! the primitive polynomial of degree `s` and `m` are the initial direction
//! integers, `s` being the length of `m`.
//!
//! The table is distributed under this licence:
//!
//! Copyright (c) 2008, Frances Y. Kuo and Stephen Joe
//! All rights reserved.
//!
//! Redistribution and use in source and binary forms, with or without
//! modification, are permitted provided that the following conditions are
//! met:
//!
//! * Redistributions of source code must retain the above copyright
//!   notice, this list of conditions and the following disclaimer.
//! * Redistributions in binary form must reproduce the above copyright
//!   notice, this list of conditions and the following disclaimer in the
//!   documentation and/or other materials provided with the distribution.
//! * Neither the names of the copyright holders nor the names of the
//!   University of New South Wales and the University of Waikato
//!   and its contributors may be used to endorse or promote products derived
//!   from this software without specific prior written permission.
//!
//! THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS ``AS IS'' AND ANY
//! EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED
//! WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE
//! DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDERS BE LIABLE FOR ANY
//! DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL
//! DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS
//! OR SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION)
//! HOWEVER CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT,
//! STRICT LIABILITY, OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN
//! ANY WAY OUT OF THE USE OF THIS SOFTWARE, EVEN IF ADVISED OF THE
//! POSSIBILITY OF SUCH DAMAGE.

/// `(d, a, [m_1, …, m_s])` for dimensions 2 to 64.
pub(super) const NEW_JOE_KUO_6_21201: [(usize, u32, &[u32]); 63] = [
    (2, 0, &[1]),
    (3, 1, &[1, 3]),
    (4, 1, &[1, 3, 1]),
    (5, 2, &[1, 1, 1]),
    (6, 1, &[1, 1, 3, 3]),
    (7, 4, &[1, 3, 5, 13]),
    (8, 2, &[1, 1, 5, 5, 17]),
    (9, 4, &[1, 1, 5, 5, 5]),
    (10, 7, &[1, 1, 7, 11, 19]),
    (11, 11, &[1, 1, 5, 1, 1]),
    (12, 13, &[1, 1, 1, 3, 11]),
    (13, 14, &[1, 3, 5, 5, 31]),
    (14, 1, &[1, 3, 3, 9, 7, 49]),
    (15, 13, &[1, 1, 1, 15, 21, 21]),
    (16, 16, &[1, 3, 1, 13, 27, 49]),
    (17, 19, &[1, 1, 1, 15, 7, 5]),
    (18, 22, &[1, 3, 1, 15, 13, 25]),
    (19, 25, &[1, 1, 5, 5, 19, 61]),
    (20, 1, &[1, 3, 7, 11, 23, 15, 103]),
    (21, 4, &[1, 3, 7, 13, 13, 15, 69]),
    (22, 7, &[1, 1, 3, 13, 7, 35, 63]),
    (23, 8, &[1, 3, 5, 9, 1, 25, 53]),
    (24, 14, &[1, 3, 1, 13, 9, 35, 107]),
    (25, 19, &[1, 3, 1, 5, 27, 61, 31]),
    (26, 21, &[1, 1, 5, 11, 19, 41, 61]),
    (27, 28, &[1, 3, 5, 3, 3, 13, 69]),
    (28, 31, &[1, 1, 7, 13, 1, 19, 1]),
    (29, 32, &[1, 3, 7, 5, 13, 19, 59]),
    (30, 37, &[1, 1, 3, 9, 25, 29, 41]),
    (31, 41, &[1, 3, 5, 13, 23, 1, 55]),
    (32, 42, &[1, 3, 7, 3, 13, 59, 17]),
    (33, 50, &[1, 3, 1, 3, 5, 53, 69]),
    (34, 55, &[1, 1, 5, 5, 23, 33, 13]),
    (35, 56, &[1, 1, 7, 7, 1, 61, 123]),
    (36, 59, &[1, 1, 7, 9, 13, 61, 49]),
    (37, 62, &[1, 3, 3, 5, 3, 55, 33]),
    (38, 14, &[1, 3, 1, 15, 31, 13, 49, 245]),
    (39, 21, &[1, 3, 5, 15, 31, 59, 63, 97]),
    (40, 22, &[1, 3, 1, 11, 11, 11, 77, 249]),
    (41, 38, &[1, 3, 1, 11, 27, 43, 71, 9]),
    (42, 47, &[1, 1, 7, 15, 21, 11, 81, 45]),
    (43, 49, &[1, 3, 7, 3, 25, 31, 65, 79]),
    (44, 50, &[1, 3, 1, 1, 19, 11, 3, 205]),
    (45, 52, &[1, 1, 5, 9, 19, 21, 29, 157]),
    (46, 56, &[1, 3, 7, 11, 1, 33, 89, 185]),
    (47, 67, &[1, 3, 3, 3, 15, 9, 79, 71]),
    (48, 70, &[1, 3, 7, 11, 15, 39, 119, 27]),
    (49, 84, &[1, 1, 3, 1, 11, 31, 97, 225]),
    (50, 97, &[1, 1, 1, 3, 23, 43, 57, 177]),
    (51, 103, &[1, 3, 7, 7, 17, 17, 37, 71]),
    (52, 115, &[1, 3, 1, 5, 27, 63, 123, 213]),
    (53, 122, &[1, 1, 3, 5, 11, 43, 53, 133]),
    (54, 8, &[1, 3, 5, 5, 29, 17, 47, 173, 479]),
    (55, 13, &[1, 3, 3, 11, 3, 1, 109, 9, 69]),
    (56, 16, &[1, 1, 1, 5, 17, 39, 23, 5, 343]),
    (57, 22, &[1, 3, 1, 5, 25, 15, 31, 103, 499]),
    (58, 25, &[1, 1, 1, 11, 11, 17, 63, 105, 183]),
    (59, 44, &[1, 1, 5, 11, 9, 29, 97, 231, 363]),
    (60, 47, &[1, 1, 5, 15, 19, 45, 41, 7, 383]),
    (61, 52, &[1, 3, 7, 7, 31, 19, 83, 137, 221]),
    (62, 55, &[1, 1, 1, 3, 23, 15, 111, 223, 83]),
    (63, 59, &[1, 1, 5, 13, 31, 15, 55, 25, 161]),
    (64, 62, &[1, 1, 3, 13, 25, 47, 39, 87, 257]),
];
