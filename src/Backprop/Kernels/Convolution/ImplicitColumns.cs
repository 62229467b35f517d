using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Backprop.Kernels.Convolution;

/// <summary>
/// The im2col matrix of one image and one group, read straight from the input planes by the GEMM's packing
/// of A, so that the column matrix is never written: col [C/groups·kH·kW, OutH·OutW] has a row per (input
/// channel, kernel row, kernel column) and a column per output position, zero where the kernel overhangs the
/// padding. As colᵀ (rows the positions) it is the forward's A, C [positions, Cout] = colᵀ·Wᵀ; as col (rows
/// the taps, <see cref="TapsAsRows"/>) the weight gradient's, dWᵀ [taps, Cout] = col·dyᵀ. Both put the
/// large dimension in M, the shape the GEMM runs fastest (see docs/performance.md). The packing is compiled
/// fully optimized at once (AggressiveOptimization): left to tiering, its loops ran unoptimized for the first
/// twenty convolutions.
/// </summary>
internal unsafe struct ImplicitColumns
{
    /// <summary>The group's first input plane of the image.</summary>
    public float* Image;

    /// <summary>The convolution.</summary>
    public ConvGeometry Geometry;

    /// <summary>Whether A is col (a row per tap, a column per position) rather than colᵀ.</summary>
    public bool TapsAsRows;

    /// <summary>The column matrix of image <paramref name="n"/>, group <paramref name="group"/> of the input <paramref name="x"/>.</summary>
    /// <param name="g">The convolution.</param>
    /// <param name="x">The input [N, C, H, W], pinned.</param>
    /// <param name="n">The image.</param>
    /// <param name="group">The group.</param>
    /// <param name="tapsAsRows">col (the weight gradient's A) rather than colᵀ (the forward's).</param>
    /// <returns>The description the GEMM's packing reads.</returns>
    public static ImplicitColumns Of(in ConvGeometry g, float* x, int n, int group, bool tapsAsRows) => new()
    {
        Image = x + ((((long)n * g.InChannels) + (group * g.GroupInChannels)) * g.InPlane),
        Geometry = g,
        TapsAsRows = tapsAsRows,
    };

    /// <summary>Ints of the tap table of a block of K <paramref name="kc"/> deep (<see cref="Tabulate"/>), or 0 where A is col, which needs none.</summary>
    public readonly int TableLength(int kc) => TapsAsRows ? 0 : 4 * kc;

    /// <summary>
    /// Packs row panels r0..r1 of A[:, p0:p0+kc] (A has <paramref name="rows"/> rows) for the GEMM: <see cref="PackPositions"/>
    /// (with the block's tap table, <paramref name="taps"/>) or <see cref="PackTaps"/>.
    /// </summary>
    public readonly void PackA(int rows, int p0, int kc, int r0, int r1, float* dst, int* taps)
    {
        if (TapsAsRows)
        {
            PackTaps(rows, p0, kc, r0, r1, dst);
        }
        else
        {
            PackPositions(rows, kc, r0, r1, dst, taps);
        }
    }

    /// <summary>
    /// Fills <paramref name="taps"/> (<see cref="TableLength"/> ints) for columns p0..p0+kc of colᵀ: each tap's row and
    /// column offsets in the kernel, its plane's offset, and its pixel's offset from the tap (0, 0)'s, in four rows of kc.
    /// </summary>
    public readonly void Tabulate(int p0, int kc, int* taps)
    {
        var g = Geometry;
        int* tapY = taps, tapX = taps + kc, tapPlane = taps + (2 * kc), tapOffset = taps + (3 * kc);
        int channel = p0 / (g.KernelH * g.KernelW), ky = p0 / g.KernelW % g.KernelH, kx = p0 % g.KernelW;
        for (var p = 0; p < kc; p++)
        {
            (tapY[p], tapX[p], tapPlane[p]) = (ky * g.DilationH, kx * g.DilationW, channel * g.InPlane);
            tapOffset[p] = tapPlane[p] + (tapY[p] * g.InW) + tapX[p];
            if (++kx == g.KernelW)
            {
                kx = 0;
                if (++ky == g.KernelH)
                {
                    ky = 0;
                    channel++;
                }
            }
        }
    }

    /// <summary>
    /// Where the GEMM can read row panel <paramref name="panel"/> of colᵀ in place: six positions on one output row, stride 1,
    /// with every tap of the kernel inside the image. Then A[r, p] = origin[tapOffset[p] + r] (the table's last row,
    /// <see cref="Tabulate"/>) and this returns the origin, the pixel the tap (0, 0) reads for the first position; else null.
    /// </summary>
    public readonly float* InPlace(int panel)
    {
        const int MR = Gemm.MR;
        var g = Geometry;
        var (oy, ox) = Math.DivRem(panel * MR, g.OutW);
        if (TapsAsRows || g.StrideW != 1 || ox + MR > g.OutW || (panel * MR) + MR > g.OutPlane)
        {
            return null;
        }

        int y0 = (oy * g.StrideH) - g.PadH, x0 = ox - g.PadW;
        var interior = y0 >= 0 && y0 + (g.DilationH * (g.KernelH - 1)) < g.InH
            && x0 >= 0 && x0 + (g.DilationW * (g.KernelW - 1)) + MR <= g.InW;
        return interior ? Image + ((long)y0 * g.InW) + x0 : null;
    }

    /// <summary>
    /// Packs row panels r0..r1 (<see cref="Gemm.MR"/> taps each) of col[:, p0:p0+kc] into <paramref name="dst"/>:
    /// panel[p·MR + r] = col[panel·MR + r, p0 + p], zero past the last tap. The positions p0.. are walked along
    /// their output rows; on a row, each tap reads one run of an input row (every stride-th pixel). Where all six
    /// taps read inside their rows and the stride is 1, <see cref="TapPanel"/> transposes blocks of positions
    /// with vectors; the borders (and every position at other strides) go one position at a time.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private readonly void PackTaps(int taps, int p0, int kc, int r0, int r1, float* dst)
    {
        const int MR = Gemm.MR;
        var g = Geometry;
        int kernel = g.KernelH * g.KernelW, sw = g.StrideW, width = sw == 1 ? TapPanel.Width : 0;

        // Per tap: its plane shifted by its column offset (row iy starts at planes[r] + iy·InW), its row offset, the
        // output columns [lo, hi) whose pixel lies inside the input row, and this output row's run (null: zeros).
        var planes = stackalloc float*[MR];
        var rows = stackalloc float*[MR];
        var offY = stackalloc int[MR];
        var lo = stackalloc int[MR];
        var hi = stackalloc int[MR];
        for (var ir = r0; ir < r1; ir++, dst += MR * kc)
        {
            for (var r = 0; r < MR; r++)
            {
                var i = (ir * MR) + r;
                if (i >= taps)
                {
                    planes[r] = null;
                    continue;
                }

                var (channel, tap) = Math.DivRem(i, kernel);
                var (ky, kx) = Math.DivRem(tap, g.KernelW);
                var offX = (kx * g.DilationW) - g.PadW;
                offY[r] = (ky * g.DilationH) - g.PadH;
                planes[r] = Image + ((long)channel * g.InPlane) + offX;
                lo[r] = offX >= 0 ? 0 : (-offX + sw - 1) / sw;
                hi[r] = g.InW - offX <= 0 ? 0 : Math.Min(g.OutW, ((g.InW - offX - 1) / sw) + 1);
            }

            var d = dst;
            var (oy, ox) = Math.DivRem(p0, g.OutW);
            for (var p = 0; p < kc; oy++, ox = 0)
            {
                var end = ox + Math.Min(g.OutW - ox, kc - p);
                int inside0 = ox, inside1 = end;
                for (var r = 0; r < MR; r++)
                {
                    var iy = (oy * g.StrideH) + offY[r];
                    rows[r] = planes[r] is null || (uint)iy >= (uint)g.InH ? null : planes[r] + ((long)iy * g.InW);
                    if (rows[r] is not null)
                    {
                        inside0 = Math.Max(inside0, lo[r]);
                        inside1 = Math.Min(inside1, hi[r]);
                    }
                }

                inside0 = Math.Min(inside0, end);
                var vector = width == 0 || inside1 - inside0 < width ? 0 : inside1 - inside0;
                d = PackPositionsOfRow(rows, lo, hi, sw, ox, inside0, d);
                if (vector > 0)
                {
                    TapPanel.Pack(rows, inside0, vector, d);
                    d += vector * MR;
                }

                d = PackPositionsOfRow(rows, lo, hi, sw, inside0 + vector, end, d);
                p += end - ox;
            }
        }
    }

    /// <summary>
    /// Output columns x0..x1 of one row, a position at a time: d[r] = the pixel tap r reads (its row's run at
    /// column x·sw), zero where its row is outside the image or the column past the row's ends. Returns the end.
    /// </summary>
    private static float* PackPositionsOfRow(float** rows, int* lo, int* hi, int sw, int x0, int x1, float* d)
    {
        const int MR = Gemm.MR;
        for (var x = x0; x < x1; x++, d += MR)
        {
            for (var r = 0; r < MR; r++)
            {
                d[r] = rows[r] is not null && x >= lo[r] && x < hi[r] ? rows[r][(long)x * sw] : 0f;
            }
        }

        return d;
    }

    /// <summary>
    /// Packs row panels r0..r1 (<see cref="Gemm.MR"/> positions each) of colᵀ[:, p0:p0+kc] into
    /// <paramref name="dst"/>: panel[p·MR + r] = colᵀ[panel·MR + r, p0 + p], zero past the last position.
    /// Each column p is a tap (channel, kernel row, kernel column), whose offsets are in the block's table. Panels
    /// the GEMM reads in place (<see cref="InPlace"/>) are left alone; six positions on one output row with stride 1
    /// near the border read six neighbouring pixels (one copy per tap) where the tap lies inside the image; the rest
    /// (a panel straddling rows, a stride of 2) pixel by pixel.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private readonly void PackPositions(int positions, int kc, int r0, int r1, float* dst, int* taps)
    {
        const int MR = Gemm.MR;
        var g = Geometry;
        int* tapY = taps, tapX = taps + kc, tapPlane = taps + (2 * kc), tapOffset = taps + (3 * kc);
        for (var ir = r0; ir < r1; ir++, dst += MR * kc)
        {
            if (InPlace(ir) != null)
            {
                continue;
            }

            var i0 = ir * MR;
            var rows = Math.Min(MR, positions - i0);
            var (oy, ox) = Math.DivRem(i0, g.OutW);
            if (rows == MR && g.StrideW == 1 && ox + MR <= g.OutW)
            {
                PackRun(dst, kc, (oy * g.StrideH) - g.PadH, ox - g.PadW, tapY, tapX, tapOffset);
            }
            else
            {
                PackPixels(dst, kc, i0, rows, tapY, tapX, tapPlane);
            }
        }
    }

    /// <summary>
    /// Six positions on one output row near the border, stride 1, their first at input (y0, x0) for the tap (0, 0);
    /// a tap's six pixels start at its tabulated offset from there, zero where they fall outside the image.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private readonly void PackRun(float* d, int kc, int y0, int x0, int* tapY, int* tapX, int* tapOffset)
    {
        const int MR = Gemm.MR;
        int inH = Geometry.InH, inW = Geometry.InW;
        var origin = Image + ((long)y0 * inW) + x0;
        for (var p = 0; p < kc; p++, d += MR)
        {
            int y = y0 + tapY[p], x = x0 + tapX[p];
            var src = origin + tapOffset[p];
            if ((uint)y >= (uint)inH)
            {
                Unsafe.InitBlockUnaligned(d, 0, MR * sizeof(float));
            }
            else if (x >= 0 && x + MR <= inW)
            {
                CopySix(d, src);
            }
            else
            {
                for (var r = 0; r < MR; r++)
                {
                    d[r] = (uint)(x + r) < (uint)inW ? src[r] : 0f;
                }
            }
        }
    }

    /// <summary>Six floats (<see cref="Gemm.MR"/>), as one 16-byte and one 8-byte move.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopySix(float* d, float* src)
    {
        Unsafe.WriteUnaligned(d, Unsafe.ReadUnaligned<Vector128<float>>(src));
        Unsafe.WriteUnaligned(d + 4, Unsafe.ReadUnaligned<long>(src + 4));
    }

    /// <summary>Any panel (one that straddles output rows, a stride other than 1, the last partial one): pixel by pixel, zero past the last position.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private readonly void PackPixels(float* d, int kc, int i0, int rows, int* tapY, int* tapX, int* tapPlane)
    {
        const int MR = Gemm.MR;
        var g = Geometry;
        var baseY = stackalloc int[MR];
        var baseX = stackalloc int[MR];
        for (var r = 0; r < MR; r++)
        {
            // A row past the last position reads nothing: its base lies outside the image.
            var (oy, ox) = r < rows ? Math.DivRem(i0 + r, g.OutW) : (-1, 0);
            baseY[r] = oy < 0 ? int.MinValue / 2 : (oy * g.StrideH) - g.PadH;
            baseX[r] = (ox * g.StrideW) - g.PadW;
        }

        int inH = g.InH, inW = g.InW;
        for (var p = 0; p < kc; p++, d += MR)
        {
            var plane = Image + tapPlane[p];
            for (var r = 0; r < MR; r++)
            {
                int y = baseY[r] + tapY[p], x = baseX[r] + tapX[p];
                d[r] = (uint)y < (uint)inH && (uint)x < (uint)inW ? plane[((long)y * inW) + x] : 0f;
            }
        }
    }
}
