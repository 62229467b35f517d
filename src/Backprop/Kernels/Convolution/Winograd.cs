using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Backprop.Kernels.Convolution;

/// <summary>
/// 3×3 convolution with stride 1 by Winograd's minimal filtering F(2×2, 3×3) (Lavin and Gray, "Fast Algorithms
/// for Convolutional Neural Networks", 2016). Each 2×2 block of output (a tile) is Aᵀ[U ⊙ V]A, where
/// U = G·g·Gᵀ is the 4×4 transform of a 3×3 kernel and V = Bᵀ·d·B that of the tile's 4×4 block of input; the sum
/// over input channels then takes 16 multiply-adds per tile where the direct form takes 36. It runs as 16 GEMMs,
/// one per element ξ of the 4×4 transform: M_ξ [Cout × tiles] = U_ξ [Cout × C] · V_ξ [C × tiles].
/// A large image's tiles go a few tile rows at a time, so that V and M of a block stay in L2, and small images go a few
/// whole images to a block, side by side in V's and M's columns, so that the GEMMs are wider; the transforms are
/// vectorised across the tiles of a row (<see cref="Vector{T}"/>, so on every SIMD width). The input gradient of
/// such a convolution is another of the same shape (dy convolved with the flipped, transposed kernel), and the
/// kernel's gradient is the forward's adjoint (dU_ξ = Σ over tiles of dM_ξ·V_ξᵀ, then Gᵀ·dU·G), so all three passes
/// run here. The result differs from the direct sum by rounding only.
/// </summary>
internal static class Winograd
{
    /// <summary>Channels (in and out) from which the transforms pay: over fewer, the GEMMs are too thin.</summary>
    private const int MinimumChannels = 16;

    /// <summary>The floats of V and M that one block of tile rows may hold (1 MiB, a Zen 4/5 core's L2).</summary>
    private const int BlockFloats = 1 << 18;

    /// <summary>
    /// The floats of V and M that a block of whole images may hold (2 MiB): twice a tile-row block's, since more
    /// columns fill the GEMMs' 32-wide panels better (W7's 144 tiles an image fill 4.5, two images 9), which measured
    /// faster (forward 11.3 → 10.6 ms on one core) than keeping the block within L2.
    /// </summary>
    private const int ImageBlockFloats = 1 << 19;

    /// <summary>Whether <paramref name="g"/> is a convolution this kernel computes: 3×3, stride 1, no dilation, one group, padding at most 2, enough channels.</summary>
    /// <param name="g">The forward's geometry.</param>
    /// <returns>True when all three passes can run here.</returns>
    public static bool Fits(in ConvGeometry g) =>
        g is { KernelH: 3, KernelW: 3, StrideH: 1, StrideW: 1, DilationH: 1, DilationW: 1, Groups: 1 }
        && g.PadH <= 2 && g.PadW <= 2 && g.InChannels >= MinimumChannels && g.OutChannels >= MinimumChannels;

    /// <summary>The geometry of the input gradient as a forward of this kind: dy [N, Cout, OutH, OutW] in, dx [N, C, H, W] out, padding 2 − p.</summary>
    /// <param name="g">The forward's geometry.</param>
    /// <returns>The input gradient's geometry.</returns>
    public static ConvGeometry InputGradGeometry(in ConvGeometry g) =>
        g with { InChannels = g.OutChannels, InH = g.OutH, InW = g.OutW, OutChannels = g.InChannels, PadH = 2 - g.PadH, PadW = 2 - g.PadW, OutH = g.InH, OutW = g.InW };

    /// <summary>
    /// U [16, Cout, C] of the kernel w [Cout, C, 3, 3] (rented; return it to <see cref="BufferPool{T}"/>), or with
    /// <paramref name="flip"/> of the input gradient's kernel w′[c, k] = w[k, c] turned by 180°.
    /// </summary>
    /// <param name="w">The forward's kernel, [Cout, C, 3, 3].</param>
    /// <param name="outChannels">Cout of the forward.</param>
    /// <param name="inChannels">C of the forward.</param>
    /// <param name="flip">Transform the input gradient's kernel instead.</param>
    /// <returns>The 16 matrices, each [rows × columns]: [Cout × C], or [C × Cout] with <paramref name="flip"/>.</returns>
    public static float[] TransformKernel(float[] w, int outChannels, int inChannels, bool flip)
    {
        var (rows, columns) = flip ? (inChannels, outChannels) : (outChannels, inChannels);
        var u = BufferPool<float>.Rent(16 * rows * columns);
        Span<float> g = stackalloc float[9];
        Span<float> half = stackalloc float[12];
        var matrix = rows * columns;
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                var (k, ci) = flip ? (c, r) : (r, c);
                var source = w.AsSpan(((k * inChannels) + ci) * 9, 9);
                for (var t = 0; t < 9; t++)
                {
                    g[t] = flip ? source[8 - t] : source[t];
                }

                // G·g (4×3), then (G·g)·Gᵀ (4×4); G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1].
                for (var col = 0; col < 3; col++)
                {
                    float g0 = g[col], g1 = g[3 + col], g2 = g[6 + col];
                    half[col] = g0;
                    half[3 + col] = 0.5f * (g0 + g1 + g2);
                    half[6 + col] = 0.5f * (g0 - g1 + g2);
                    half[9 + col] = g2;
                }

                for (var a = 0; a < 4; a++)
                {
                    float h0 = half[3 * a], h1 = half[(3 * a) + 1], h2 = half[(3 * a) + 2];
                    var at = (r * columns) + c + (4 * a * matrix);
                    u[at] = h0;
                    u[at + matrix] = 0.5f * (h0 + h1 + h2);
                    u[at + (2 * matrix)] = 0.5f * (h0 - h1 + h2);
                    u[at + (3 * matrix)] = h2;
                }
            }
        }

        return u;
    }

    /// <summary>
    /// y (=) conv(x, w) + bias for images begin..end, w given as its transform <paramref name="u"/>
    /// (<see cref="TransformKernel"/>) and <paramref name="g"/> a geometry that <see cref="Fits"/>.
    /// </summary>
    /// <param name="g">The geometry.</param>
    /// <param name="x">The input, [N, C, H, W].</param>
    /// <param name="u">The kernel's transform, [16, Cout, C].</param>
    /// <param name="bias">The bias, or null.</param>
    /// <param name="y">The output, [N, Cout, OutH, OutW], overwritten.</param>
    /// <param name="begin">The first image.</param>
    /// <param name="end">The image after the last.</param>
    public static void Images(in ConvGeometry g, float[] x, float[] u, float[]? bias, float[] y, int begin, int end) =>
        Blocks(g, x, u, bias, y, default, begin, end);

    /// <summary>
    /// dU [16, Cout, C] += Σ over the tiles of images begin..end of (A·dy·Aᵀ) ⊙ V, per ξ a GEMM over the tiles:
    /// dU_ξ += dM_ξ [Cout × tiles] · V_ξᵀ. The gradient of the kernel is then Gᵀ·dU·G (<see cref="AddKernelGradient"/>),
    /// since the forward is linear in U = G·g·Gᵀ.
    /// </summary>
    /// <param name="g">The forward's geometry.</param>
    /// <param name="x">The forward's input, [N, C, H, W].</param>
    /// <param name="dy">The output's gradient, [N, Cout, OutH, OutW].</param>
    /// <param name="du">The sum, [16, Cout, C], added to.</param>
    /// <param name="begin">The first image.</param>
    /// <param name="end">The image after the last.</param>
    public static void KernelGradImages(in ConvGeometry g, float[] x, float[] dy, Span<float> du, int begin, int end) =>
        Blocks(g, x, null, null, dy, du, begin, end);

    /// <summary>
    /// Both passes, block after block (of tile rows, or of whole images side by side): V of x's tiles, then either M = U·V and the output transform into
    /// <paramref name="y"/> (when <paramref name="u"/> is given), or dM of dy = <paramref name="y"/>'s tiles and dU += dM·Vᵀ.
    /// </summary>
    private static void Blocks(in ConvGeometry g, float[] x, float[]? u, float[]? bias, float[] y, Span<float> du, int begin, int end)
    {
        var tiles = new TileGrid(g);
        var images = tiles.RowsPerBlock == tiles.Rows ? Math.Clamp(ImageBlockFloats / (16 * (g.InChannels + g.OutChannels) * tiles.BlockTiles), 1, Math.Max(1, end - begin)) : 1;
        var v = BufferPool<float>.Rent(16 * Spacing(g.InChannels * tiles.BlockTiles * images));
        var m = BufferPool<float>.Rent(16 * Spacing(g.OutChannels * tiles.BlockTiles * images));
        var stage = BufferPool<float>.Rent(2 * ((2 * tiles.RowsPerBlock) + 2) * tiles.StageWidth);
        var kernel = g.OutChannels * g.InChannels;
        for (var n0 = begin; n0 < end; n0 += images)
        {
            var count = Math.Min(images, end - n0);
            for (var i0 = 0; i0 < tiles.Rows; i0 += tiles.RowsPerBlock)
            {
                var rows = Math.Min(tiles.RowsPerBlock, tiles.Rows - i0);
                var perImage = rows * tiles.Stride;
                var ld = count * perImage;
                int vs = Spacing(g.InChannels * ld), ms = Spacing(g.OutChannels * ld);
                for (var n = n0; n < n0 + count; n++)
                {
                    TransformInput(g, tiles, x.AsSpan(n * g.InChannels * g.InPlane, g.InChannels * g.InPlane), i0, rows, v, vs, ld, (n - n0) * perImage, stage);
                    if (u is null)
                    {
                        TransformOutputGradient(g, tiles, y.AsSpan(n * g.OutChannels * g.OutPlane, g.OutChannels * g.OutPlane), i0, rows, m, ms, ld, (n - n0) * perImage, stage);
                    }
                }

                for (var xi = 0; xi < 16; xi++)
                {
                    var vx = v.AsSpan(xi * vs, g.InChannels * ld);
                    var mx = m.AsSpan(xi * ms, g.OutChannels * ld);
                    if (u is null)
                    {
                        Gemm.Multiply(mx, false, vx, true, du.Slice(xi * kernel, kernel), g.OutChannels, g.InChannels, ld, accumulate: true);
                    }
                    else
                    {
                        Gemm.Multiply(u.AsSpan(xi * kernel, kernel), false, vx, false, mx, g.OutChannels, ld, g.InChannels, accumulate: false);
                    }
                }

                if (u is not null)
                {
                    for (var n = n0; n < n0 + count; n++)
                    {
                        TransformOutput(g, tiles, m, ms, ld, (n - n0) * perImage, bias, i0, rows, y.AsSpan(n * g.OutChannels * g.OutPlane, g.OutChannels * g.OutPlane));
                    }
                }
            }
        }

        BufferPool<float>.Return(stage);
        BufferPool<float>.Return(m);
        BufferPool<float>.Return(v);
    }

    /// <summary>dw [Cout, C, 3, 3] += Gᵀ·dU·G per kernel, the adjoint of <see cref="TransformKernel"/>'s G·g·Gᵀ.</summary>
    /// <param name="du">dU, [16, Cout, C].</param>
    /// <param name="outChannels">Cout.</param>
    /// <param name="inChannels">C.</param>
    /// <param name="dw">The kernel's gradient, added to.</param>
    public static void AddKernelGradient(ReadOnlySpan<float> du, int outChannels, int inChannels, Span<float> dw)
    {
        var matrix = outChannels * inChannels;
        Span<float> half = stackalloc float[12];
        for (var kc = 0; kc < matrix; kc++)
        {
            // Gᵀ = [1 ½ ½ 0; 0 ½ −½ 0; 0 ½ ½ 1], down each column of dU, then along the rows.
            for (var b = 0; b < 4; b++)
            {
                float d0 = du[kc + (b * matrix)], d1 = du[kc + ((4 + b) * matrix)], d2 = du[kc + ((8 + b) * matrix)], d3 = du[kc + ((12 + b) * matrix)];
                half[b] = d0 + (0.5f * (d1 + d2));
                half[4 + b] = 0.5f * (d1 - d2);
                half[8 + b] = (0.5f * (d1 + d2)) + d3;
            }

            var target = dw.Slice(kc * 9, 9);
            for (var r = 0; r < 3; r++)
            {
                float h0 = half[4 * r], h1 = half[(4 * r) + 1], h2 = half[(4 * r) + 2], h3 = half[(4 * r) + 3];
                target[3 * r] += h0 + (0.5f * (h1 + h2));
                target[(3 * r) + 1] += 0.5f * (h1 - h2);
                target[(3 * r) + 2] += (0.5f * (h1 + h2)) + h3;
            }
        }
    }

    /// <summary>
    /// dM [16, Cout, rows·Stride] = A·dy·Aᵀ per tile of tile rows i0.., A = [1 0; 1 1; 1 −1; 0 −1], the adjoint of
    /// <see cref="TransformOutput"/>: each output row is split into its even and odd columns, zero past the row's
    /// end (and a missing last row is zero), so that tiles partly or wholly outside the output contribute nothing.
    /// </summary>
    private static void TransformOutputGradient(in ConvGeometry g, in TileGrid tiles, ReadOnlySpan<float> dy, int i0, int rows, float[] dm, int matrix, int ld, int first, float[] stage)
    {
        var width = tiles.StageWidth;
        var last = tiles.Stride - Vector<float>.Count;

        // Rows of whole tiles that fill the stride (an even width, as W7's 24) are read straight from dy, a vector's
        // tiles being 2·Count consecutive elements split into even and odd columns in registers; other rows are staged.
        var direct = CanPair && g.OutW == 2 * tiles.Stride;
        var even = stage.AsSpan(0, 2 * width);
        var odd = stage.AsSpan(2 * width, 2 * width);
        ref var target = ref MemoryMarshal.GetArrayDataReference(dm);
        ref var e = ref MemoryMarshal.GetReference(even);
        ref var o = ref MemoryMarshal.GetReference(odd);
        for (var k = 0; k < g.OutChannels; k++)
        {
            var plane = dy.Slice(k * g.OutPlane, g.OutPlane);
            for (var li = 0; li < rows; li++)
            {
                var top = 2 * (i0 + li);
                var upper = plane.Slice(top * g.OutW, g.OutW);
                var lower = top + 1 < g.OutH ? plane.Slice((top + 1) * g.OutW, g.OutW) : default;
                if (!direct)
                {
                    Split(upper, 0, even[..width], odd[..width]);
                    if (lower.IsEmpty)
                    {
                        even.Slice(width, width).Clear();
                        odd.Slice(width, width).Clear();
                    }
                    else
                    {
                        Split(lower, 0, even.Slice(width, width), odd.Slice(width, width));
                    }
                }

                for (var j = 0; ; j += Vector<float>.Count)
                {
                    j = Math.Min(j, last);
                    Vector<float> p, q, r, t;
                    if (direct)
                    {
                        (p, q) = Pairs(upper[(2 * j)..]);
                        (r, t) = lower.IsEmpty ? (Vector<float>.Zero, Vector<float>.Zero) : Pairs(lower[(2 * j)..]);
                    }
                    else
                    {
                        p = Vector.LoadUnsafe(ref e, (nuint)j);
                        q = Vector.LoadUnsafe(ref o, (nuint)j);
                        r = Vector.LoadUnsafe(ref e, (nuint)(width + j));
                        t = Vector.LoadUnsafe(ref o, (nuint)(width + j));
                    }

                    ref var at = ref Unsafe.Add(ref target, first + (k * ld) + (li * tiles.Stride) + j);
                    GradientRow(p, q, ref at, 0, matrix);
                    GradientRow(p + r, q + t, ref at, 4, matrix);
                    GradientRow(p - r, q - t, ref at, 8, matrix);
                    GradientRow(-r, -t, ref at, 12, matrix);
                    if (j == last)
                    {
                        break;
                    }
                }
            }
        }
    }

    /// <summary>Whether <see cref="Pairs"/> can split a vector's worth of pairs in registers on this machine.</summary>
    private static bool CanPair => (Vector<float>.Count == 8 && Avx2.IsSupported) || (Vector<float>.Count == 4 && (Sse.IsSupported || AdvSimd.Arm64.IsSupported));

    /// <summary>The even and the odd elements of the 2·<see cref="Vector{T}.Count"/> floats at <paramref name="row"/>'s start (when <see cref="CanPair"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector<float> Even, Vector<float> Odd) Pairs(ReadOnlySpan<float> row)
    {
        if (Vector<float>.Count == 8)
        {
            var (e, o) = Permute.Deinterleave256(row);
            return (e.AsVector(), o.AsVector());
        }

        var (e4, o4) = Permute.Deinterleave128(row);
        return (e4.AsVector(), o4.AsVector());
    }

    /// <summary>One row (x, z) of A·dy times Aᵀ: x, x + z, x − z, −z, stored as ξ = first..first + 3.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void GradientRow(Vector<float> x, Vector<float> z, ref float dm, int first, int matrix)
    {
        x.StoreUnsafe(ref dm, (nuint)(first * matrix));
        (x + z).StoreUnsafe(ref dm, (nuint)((first + 1) * matrix));
        (x - z).StoreUnsafe(ref dm, (nuint)((first + 2) * matrix));
        (-z).StoreUnsafe(ref dm, (nuint)((first + 3) * matrix));
    }

    /// <summary>
    /// V [16, C, rows·Stride] of tile rows i0.. of one image: each channel's input rows are first split into their
    /// even and odd columns (zero outside the image), so that a tile's four columns are two neighbouring elements
    /// of each, and a vector then transforms <see cref="Vector{T}.Count"/> neighbouring tiles at once.
    /// </summary>
    private static void TransformInput(in ConvGeometry g, in TileGrid tiles, ReadOnlySpan<float> image, int i0, int rows, float[] v, int matrix, int ld, int first, float[] stage)
    {
        // Without padding across (W7's conv2, the weight gradient's x), a vector's tiles read 2·Count + 2 consecutive
        // elements of each input row, split into even and odd columns in registers; padded rows are staged.
        if (CanPair && g.PadW == 0 && g.InW >= (2 * tiles.Stride) + 2)
        {
            TransformInputDirect(g, tiles, image, i0, rows, v, matrix, ld, first);
            return;
        }

        var width = tiles.StageWidth;
        var stageRows = (2 * rows) + 2;
        var even = stage.AsSpan(0, stageRows * width);
        var odd = stage.AsSpan(stageRows * width, stageRows * width);
        for (var c = 0; c < g.InChannels; c++)
        {
            var plane = image.Slice(c * g.InPlane, g.InPlane);
            for (var r = 0; r < stageRows; r++)
            {
                var inRow = (2 * i0) + r - g.PadH;
                var e = even.Slice(r * width, width);
                var o = odd.Slice(r * width, width);
                if ((uint)inRow >= (uint)g.InH)
                {
                    e.Clear();
                    o.Clear();
                    continue;
                }

                Split(plane.Slice(inRow * g.InW, g.InW), g.PadW, e, o);
            }

            ref var ve = ref MemoryMarshal.GetReference(even);
            ref var vo = ref MemoryMarshal.GetReference(odd);
            ref var target = ref MemoryMarshal.GetArrayDataReference(v);
            for (var li = 0; li < rows; li++)
            {
                var top = 2 * li * width;
                for (var j = 0; ; j += Vector<float>.Count)
                {
                    j = Math.Min(j, tiles.Stride - Vector<float>.Count);
                    var at = top + j;
                    InputTile(
                        Staged(ref ve, ref vo, at),
                        Staged(ref ve, ref vo, at + width),
                        Staged(ref ve, ref vo, at + (2 * width)),
                        Staged(ref ve, ref vo, at + (3 * width)),
                        ref Unsafe.Add(ref target, first + (c * ld) + (li * tiles.Stride) + j),
                        matrix);
                    if (j == tiles.Stride - Vector<float>.Count)
                    {
                        break;
                    }
                }
            }
        }
    }

    /// <summary><see cref="TransformInput"/> for rows without padding across: each tile row's four input rows straight from the image (zero above or below it).</summary>
    private static void TransformInputDirect(in ConvGeometry g, in TileGrid tiles, ReadOnlySpan<float> image, int i0, int rows, float[] v, int matrix, int ld, int first)
    {
        ref var target = ref MemoryMarshal.GetArrayDataReference(v);
        var last = tiles.Stride - Vector<float>.Count;
        for (var c = 0; c < g.InChannels; c++)
        {
            var plane = image.Slice(c * g.InPlane, g.InPlane);
            for (var li = 0; li < rows; li++)
            {
                var top = (2 * (i0 + li)) - g.PadH;
                ReadOnlySpan<float> r0 = InputRow(g, plane, top), r1 = InputRow(g, plane, top + 1), r2 = InputRow(g, plane, top + 2), r3 = InputRow(g, plane, top + 3);
                for (var j = 0; ; j += Vector<float>.Count)
                {
                    j = Math.Min(j, last);
                    InputTile(Direct(r0, j), Direct(r1, j), Direct(r2, j), Direct(r3, j), ref Unsafe.Add(ref target, first + (c * ld) + (li * tiles.Stride) + j), matrix);
                    if (j == last)
                    {
                        break;
                    }
                }
            }
        }
    }

    /// <summary>Row <paramref name="row"/> of a plane, or empty above or below it.</summary>
    private static ReadOnlySpan<float> InputRow(in ConvGeometry g, ReadOnlySpan<float> plane, int row) =>
        (uint)row < (uint)g.InH ? plane.Slice(row * g.InW, g.InW) : default;

    /// <summary>
    /// even[j] = row[2j − pad] and odd[j] = row[2j + 1 − pad], zero outside the row: the row's even elements go to
    /// <paramref name="even"/> (odd to <paramref name="odd"/>) for an even <paramref name="pad"/>, the other way round for
    /// an odd one, shifted by half the padding; 16 or 8 elements at a time where a vector deinterleaves them.
    /// </summary>
    private static void Split(ReadOnlySpan<float> row, int pad, Span<float> even, Span<float> odd)
    {
        var flipped = (pad & 1) != 0;
        var evens = flipped ? odd : even;
        var odds = flipped ? even : odd;
        int evensAt = flipped ? (pad - 1) / 2 : pad / 2, oddsAt = flipped ? (pad + 1) / 2 : pad / 2;
        int evenCount = Math.Min((row.Length + 1) / 2, evens.Length - evensAt), oddCount = Math.Min(row.Length / 2, odds.Length - oddsAt);

        // Zero only what the row leaves: the padding before it and the room after it.
        evens[..evensAt].Clear();
        evens[(evensAt + evenCount)..].Clear();
        odds[..oddsAt].Clear();
        odds[(oddsAt + oddCount)..].Clear();

        // Vectors of 8 (AVX2) or 4 pairs, the last one overlapping the one before; the pairs left, if any, one by one.
        var step = Avx2.IsSupported ? 8 : Sse.IsSupported || AdvSimd.Arm64.IsSupported ? 4 : 0;
        var pairs = Math.Min(evenCount, oddCount);
        var q = 0;
        if (step > 0 && pairs >= step)
        {
            for (; ; q += step)
            {
                q = Math.Min(q, pairs - step);
                if (step == 8)
                {
                    var (e, o) = Permute.Deinterleave256(row[(2 * q)..]);
                    e.StoreUnsafe(ref evens[evensAt + q]);
                    o.StoreUnsafe(ref odds[oddsAt + q]);
                }
                else
                {
                    var (e, o) = Permute.Deinterleave128(row[(2 * q)..]);
                    e.StoreUnsafe(ref evens[evensAt + q]);
                    o.StoreUnsafe(ref odds[oddsAt + q]);
                }

                if (q == pairs - step)
                {
                    q = pairs;
                    break;
                }
            }
        }

        for (var p = q; p < evenCount; p++)
        {
            evens[evensAt + p] = row[2 * p];
        }

        for (var p = q; p < oddCount; p++)
        {
            odds[oddsAt + p] = row[(2 * p) + 1];
        }
    }

    /// <summary>
    /// Bᵀ·d·B of a vector of tiles, into v[ξ·matrix], from each of its four input rows' columns 0 and 2 (E, N: even)
    /// and 1 and 3 (O, P: odd) of every tile.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void InputTile(Quad d0, Quad d1, Quad d2, Quad d3, ref float v, int matrix)
    {
        // Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1], down the four rows first, then along each.
        Columns(d0.E - d2.E, d0.N - d2.N, d0.O - d2.O, d0.P - d2.P, ref v, 0, matrix);
        Columns(d1.E + d2.E, d1.N + d2.N, d1.O + d2.O, d1.P + d2.P, ref v, 4, matrix);
        Columns(d2.E - d1.E, d2.N - d1.N, d2.O - d1.O, d2.P - d1.P, ref v, 8, matrix);
        Columns(d1.E - d3.E, d1.N - d3.N, d1.O - d3.O, d1.P - d3.P, ref v, 12, matrix);
    }

    /// <summary>A staged row's four vectors for the tiles from <paramref name="at"/>: even and odd columns, and each one further.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Quad Staged(ref float even, ref float odd, int at) => new(
        Vector.LoadUnsafe(ref even, (nuint)at),
        Vector.LoadUnsafe(ref even, (nuint)(at + 1)),
        Vector.LoadUnsafe(ref odd, (nuint)at),
        Vector.LoadUnsafe(ref odd, (nuint)(at + 1)));

    /// <summary>An input row's four vectors for the tiles from <paramref name="j"/>, split in registers (zeros for a row outside the image).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Quad Direct(ReadOnlySpan<float> row, int j)
    {
        if (row.IsEmpty)
        {
            return default;
        }

        var (e, o) = Pairs(row[(2 * j)..]);
        var (n, p) = Pairs(row[((2 * j) + 2)..]);
        return new(e, n, o, p);
    }

    /// <summary>One row of Bᵀ·d times B: d0..d3 are the row's columns 0 (even), 2 (next even), 1 (odd), 3 (next odd); stores ξ = first..first + 3.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Columns(Vector<float> d0, Vector<float> d2, Vector<float> d1, Vector<float> d3, ref float v, int first, int matrix)
    {
        (d0 - d2).StoreUnsafe(ref v, (nuint)(first * matrix));
        (d1 + d2).StoreUnsafe(ref v, (nuint)((first + 1) * matrix));
        (d2 - d1).StoreUnsafe(ref v, (nuint)((first + 2) * matrix));
        (d1 - d3).StoreUnsafe(ref v, (nuint)((first + 3) * matrix));
    }

    /// <summary>
    /// y's rows 2·i0.. from M [16, Cout, rows·Stride]: Aᵀ·M·A per tile, Aᵀ = [1 1 1 0; 0 1 −1 −1], plus the bias.
    /// A vector of tiles gives each of its two output rows' even and odd columns, which are interleaved as they are
    /// stored; a vector that would pass the row's end is stored element by element.
    /// </summary>
    private static void TransformOutput(in ConvGeometry g, in TileGrid tiles, float[] m, int matrix, int ld, int first, float[]? bias, int i0, int rows, Span<float> y)
    {
        var last = tiles.Stride - Vector<float>.Count;
        ref var source = ref MemoryMarshal.GetArrayDataReference(m);
        for (var k = 0; k < g.OutChannels; k++)
        {
            var b = new Vector<float>(bias is null ? 0f : bias[k]);
            var plane = y.Slice(k * g.OutPlane, g.OutPlane);
            for (var li = 0; li < rows; li++)
            {
                var top = 2 * (i0 + li);
                var upper = plane.Slice(top * g.OutW, g.OutW);
                var lower = top + 1 < g.OutH ? plane.Slice((top + 1) * g.OutW, g.OutW) : default;
                for (var j = 0; ; j += Vector<float>.Count)
                {
                    j = Math.Min(j, last);
                    var (e0, o0, e1, o1) = OutputTile(ref Unsafe.Add(ref source, first + (k * ld) + (li * tiles.Stride) + j), matrix, b);
                    Store(e0, o0, upper, 2 * j);
                    if (!lower.IsEmpty)
                    {
                        Store(e1, o1, lower, 2 * j);
                    }

                    if (j == last)
                    {
                        break;
                    }
                }
            }
        }
    }

    /// <summary>row[at + 2q] = even[q], row[at + 2q + 1] = odd[q], as far as the row goes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector<float> even, Vector<float> odd, Span<float> row, int at)
    {
        if (at + (2 * Vector<float>.Count) > row.Length || !Vector.IsHardwareAccelerated || Vector<float>.Count > 8)
        {
            for (var q = 0; q < Vector<float>.Count && at + (2 * q) < row.Length; q++)
            {
                row[at + (2 * q)] = even[q];
                if (at + (2 * q) + 1 < row.Length)
                {
                    row[at + (2 * q) + 1] = odd[q];
                }
            }

            return;
        }

        ref var target = ref row[at];
        if (Vector<float>.Count == 8)
        {
            var e = even.AsVector256();
            var o = odd.AsVector256();
            var low = Avx.UnpackLow(e, o);
            var high = Avx.UnpackHigh(e, o);
            Avx.Permute2x128(low, high, 0x20).StoreUnsafe(ref target);
            Avx.Permute2x128(low, high, 0x31).StoreUnsafe(ref target, 8);
        }
        else if (Sse.IsSupported)
        {
            Sse.UnpackLow(even.AsVector128(), odd.AsVector128()).StoreUnsafe(ref target);
            Sse.UnpackHigh(even.AsVector128(), odd.AsVector128()).StoreUnsafe(ref target, 4);
        }
        else
        {
            AdvSimd.Arm64.ZipLow(even.AsVector128(), odd.AsVector128()).StoreUnsafe(ref target);
            AdvSimd.Arm64.ZipHigh(even.AsVector128(), odd.AsVector128()).StoreUnsafe(ref target, 4);
        }
    }

    /// <summary>Aᵀ·M·A + bias of a vector of tiles, M's 16 elements <paramref name="matrix"/> apart: the even and odd columns of the tiles' top row, then of their bottom row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector<float> TopEven, Vector<float> TopOdd, Vector<float> BottomEven, Vector<float> BottomOdd) OutputTile(ref float m, int matrix, Vector<float> bias)
    {
        var (t0, u0) = DownColumn(ref m, matrix, 0);
        var (t1, u1) = DownColumn(ref m, matrix, 1);
        var (t2, u2) = DownColumn(ref m, matrix, 2);
        var (t3, u3) = DownColumn(ref m, matrix, 3);
        return (t0 + t1 + t2 + bias, t1 - t2 - t3 + bias, u0 + u1 + u2 + bias, u1 - u2 - u3 + bias);
    }

    /// <summary>Aᵀ times column <paramref name="col"/> of M: its two rows' elements in that column.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector<float> Top, Vector<float> Bottom) DownColumn(ref float m, int matrix, int col)
    {
        var m1 = Vector.LoadUnsafe(ref m, (nuint)((4 + col) * matrix));
        var m2 = Vector.LoadUnsafe(ref m, (nuint)((8 + col) * matrix));
        return (Vector.LoadUnsafe(ref m, (nuint)(col * matrix)) + m1 + m2, m1 - m2 - Vector.LoadUnsafe(ref m, (nuint)((12 + col) * matrix)));
    }

    /// <summary>
    /// Floats from one ξ's matrix to the next in V and M: the matrix rounded up to 4 KiB and one cache line more, so
    /// that the 16 streams a transform reads or writes fall in different cache sets (at a multiple of 4 KiB, as with
    /// W8's 64 channels × 112 tiles, every access of a tile missed L1).
    /// </summary>
    private static int Spacing(int floats) => ((floats + 1023) & ~1023) + 16;

    /// <summary>One input row of a vector of tiles: each tile's columns 0 and 2 (E, N) and 1 and 3 (O, P).</summary>
    private readonly struct Quad(Vector<float> e, Vector<float> n, Vector<float> o, Vector<float> p)
    {
        public Vector<float> E { get; } = e;

        public Vector<float> N { get; } = n;

        public Vector<float> O { get; } = o;

        public Vector<float> P { get; } = p;
    }

    /// <summary>How a geometry's output is cut into 2×2 tiles, and into blocks of tile rows.</summary>
    private readonly struct TileGrid
    {
        public TileGrid(in ConvGeometry g)
        {
            Rows = (g.OutH + 1) / 2;
            Columns = (g.OutW + 1) / 2;
            Stride = Math.Max(Columns, Vector<float>.Count);
            StageWidth = Stride + 1;
            var fit = Math.Max(1, BlockFloats / (16 * (g.InChannels + g.OutChannels) * Stride));
            var blocks = (Rows + fit - 1) / fit;
            RowsPerBlock = (Rows + blocks - 1) / blocks;
            BlockTiles = RowsPerBlock * Stride;
        }

        /// <summary>Tile rows of the output.</summary>
        public int Rows { get; }

        /// <summary>Tiles in an output row.</summary>
        public int Columns { get; }

        /// <summary>Tiles a row takes in V and M: its tiles, and a vector's worth at least (the extra ones are computed and dropped).</summary>
        public int Stride { get; }

        /// <summary>Elements in a staged row: one more than <see cref="Stride"/>, for a tile's right neighbour.</summary>
        public int StageWidth { get; }

        /// <summary>Tile rows in a block.</summary>
        public int RowsPerBlock { get; }

        /// <summary>Tiles in a full block.</summary>
        public int BlockTiles { get; }
    }
}
