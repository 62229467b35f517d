using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Backprop.Kernels;

/// <summary>
/// GEMM's packing: copies a block of A (MR rows at a time) and of B (NR columns at a time) into the
/// panel layout the micro-kernels stream through, reading transposed operands in place.
/// </summary>
internal static unsafe class GemmPacking
{
    private const int MR = Gemm.MR;
    private const int NR = Gemm.NR;

    /// <summary>
    /// Packs row panels r0..r1 of op(A)[:, p0:p0+kc] into <paramref name="dst"/> (panel[p·MR + r] =
    /// op(A)[panel·MR + r, p0 + p], zero-padded): all of them with <paramref name="all"/>, else only a partial
    /// last panel, since full panels are read in place. A convolution's column matrix is packed from the image,
    /// but for the panels it reads in place, with the block's tap table <paramref name="taps"/>.
    /// </summary>
    public static void PackA(ref GemmJob job, int r0, int r1, float* dst, bool all, int* taps)
    {
        int m = job.M, k = job.K, kc = job.Kc, p0 = job.P0;
        if (job.Columns != null)
        {
            job.Columns->PackA(m, p0, kc, r0, r1, dst, taps);
            return;
        }

        for (var ir = r0; ir < r1; ir++)
        {
            var i0 = ir * MR;
            var rows = Math.Min(MR, m - i0);
            if (rows == MR && !all)
            {
                continue;
            }

            var panel = dst + ((long)(ir - r0) * MR * kc);
            if (rows < MR)
            {
                new Span<float>(panel, MR * kc).Clear();
            }

            if (job.TransA && rows == MR)
            {
                var src = job.A + ((long)p0 * m) + i0;
                var p = 0;
                if (Avx.IsSupported && i0 + 8 <= m)
                {
                    // Eight floats at a time, the two extra overwritten by the next step's six (so not for the last step).
                    for (; p + 1 < kc; p++, src += m)
                    {
                        Avx.Store(panel + (p * MR), Avx.LoadVector256(src));
                    }
                }

                for (; p < kc; p++, src += m)
                {
                    var d = panel + (p * MR);
                    (d[0], d[1], d[2], d[3], d[4], d[5]) = (src[0], src[1], src[2], src[3], src[4], src[5]);
                }
            }
            else if (job.TransA)
            {
                for (var p = 0; p < kc; p++)
                {
                    new ReadOnlySpan<float>(job.A + ((long)(p0 + p) * m) + i0, rows).CopyTo(new Span<float>(panel + (p * MR), rows));
                }
            }
            else
            {
                var src = job.A + ((long)i0 * k) + p0;
                var p = rows == MR ? PackRows(src, k, kc, panel) : 0;
                for (var r = 0; r < rows; r++)
                {
                    for (var q = p; q < kc; q++)
                    {
                        panel[(q * MR) + r] = src[((long)r * k) + q];
                    }
                }
            }
        }
    }

    /// <summary>
    /// Packs the first steps of six rows of A stored row-major (rows <paramref name="k"/> apart) eight at a time:
    /// six row vectors transposed as an 8×8 block with two zero rows, each column stored eight floats wide at its
    /// six-float slot (its two extra floats are overwritten by the next step's slot, so a block is packed only
    /// while a step follows it). Returns the first step left for the caller (0 without AVX).
    /// </summary>
    private static int PackRows(float* src, int k, int kc, float* panel)
    {
        if (!Avx.IsSupported)
        {
            return 0;
        }

        var p = 0;
        for (; p + 8 < kc; p += 8)
        {
            Permute.Transpose8x8(src + p, k, panel + (p * MR), MR, sixRows: true);
        }

        return p;
    }

    /// <summary>Packs column panels c0..c1 of op(B)[p0:p0+kc, :]: panel[p·NR + c] = op(B)[p0 + p, panel·NR + c], zero-padded.</summary>
    public static void PackB(ref GemmJob job, int c0, int c1, float* dst)
    {
        int n = job.N, k = job.K, kc = job.Kc, p0 = job.P0;
        for (var jr = c0; jr < c1; jr++, dst += NR * kc)
        {
            var j0 = jr * NR;
            var cols = Math.Min(NR, n - j0);
            if (cols < NR)
            {
                new Span<float>(dst, NR * kc).Clear();
            }

            if (job.TransB)
            {
                var src = job.B + ((long)j0 * k) + p0;
                var p = 0;
                if (Avx.IsSupported && cols == NR)
                {
                    for (; p + 8 <= kc; p += 8)
                    {
                        for (var c = 0; c < NR; c += 8)
                        {
                            Permute.Transpose8x8(src + ((long)c * k) + p, k, dst + (p * NR) + c, NR);
                        }
                    }
                }

                for (; p < kc; p++)
                {
                    var row = dst + (p * NR);
                    for (var c = 0; c < cols; c++)
                    {
                        row[c] = src[((long)c * k) + p];
                    }
                }
            }
            else if (cols == NR)
            {
                var src = job.B + ((long)p0 * n) + j0;
                for (var p = 0; p < kc; p++, src += n)
                {
                    CopyPanelRow(src, dst + (p * NR));
                }
            }
            else
            {
                for (var p = 0; p < kc; p++)
                {
                    new ReadOnlySpan<float>(job.B + ((long)(p0 + p) * n) + j0, cols).CopyTo(new Span<float>(dst + (p * NR), cols));
                }
            }
        }
    }

    /// <summary>
    /// Copies one full row of a B panel (NR floats) in registers: a call to the general copy for each 128-byte row cost
    /// 4–5% of W7's step, whose Winograd products pack thousands of such rows.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyPanelRow(float* src, float* dst)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512.Load(src).Store(dst);
            Vector512.Load(src + 16).Store(dst + 16);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (var c = 0; c < NR; c += 8)
            {
                Vector256.Load(src + c).Store(dst + c);
            }
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            for (var c = 0; c < NR; c += 4)
            {
                Vector128.Load(src + c).Store(dst + c);
            }
        }
        else
        {
            new ReadOnlySpan<float>(src, NR).CopyTo(new Span<float>(dst, NR));
        }
    }
}
