using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace Backprop.Kernels.Convolution;

/// <summary>
/// 2-D convolution as im2col + GEMM, one image at a time: the images of a batch are shared among the
/// threads (each GEMM then runs on its thread alone); a single image lets the GEMM use the threads
/// itself. The forward (colᵀ·Wᵀ) and the weight gradient (col·dyᵀ) pack the column matrix straight from the
/// image (<see cref="ImplicitColumns"/>); the input gradient folds Wᵀ·dy back by col2im. A 1×1 kernel with
/// stride 1 and no padding skips im2col (the input is its own column matrix).
/// The weight gradient is summed per share and the shares are added in order, so for a given thread
/// count the result is the same on every run. A 3×3 kernel with stride 1 and 16 channels or more takes all three
/// passes through <see cref="Winograd"/> instead, which needs 16 multiply-adds per 2×2 block of output where im2col needs 36.
/// </summary>
internal static class ConvKernel
{
    /// <summary>
    /// Multiply-adds per image and group from which the forward packs colᵀ from the image; smaller products
    /// unfold the column matrix and take the GEMM's plain loop, which sums each output in one fused chain.
    /// </summary>
    private const long ImplicitFrom = 1 << 14;

    /// <summary>
    /// Taps (C/groups·kH·kW) from which the forward packs colᵀ: over fewer, as in a first layer on one channel,
    /// the transpose of the output costs more than the packing saves (W7's conv1, 9 taps, was slower that way).
    /// </summary>
    private const int ImplicitDepthFrom = 64;

    /// <summary>
    /// y [N, Cout, OutH, OutW] = conv(x [N, C, H, W], w [Cout, C/groups, kH, kW]) + bias: per image and group,
    /// positions × Cout = colᵀ·Wᵀ with colᵀ packed straight from the image (never written), then transposed
    /// into the output planes with the bias added; a pointwise kernel multiplies W·x in place.
    /// </summary>
    public static void Forward(ConvGeometry g, float[] x, float[] w, float[]? bias, float[] y)
    {
        if (Winograd.Fits(g))
        {
            RunWinograd(g, x, Winograd.TransformKernel(w, g.OutChannels, g.InChannels, flip: false), bias, y);
            return;
        }

        var job = new ConvJob(ConvPass.Forward, g, x, w, y) { Bias = bias };
        ForEachImage(ref job);
    }

    /// <summary>Forward's share of the batch, images begin..end.</summary>
    private static unsafe void ForwardImages(ConvGeometry g, float[] x, float[] w, float[]? bias, float[] y, int begin, int end)
    {
        var implicitColumns = UsesImplicitColumns(g);
        var buffer = g.IsPointwise ? null : BufferPool<float>.Rent(implicitColumns ? g.OutPlane * g.GroupOutChannels : g.ColumnRows * g.OutPlane);
        fixed (float* px = x)
        {
            for (var n = begin; n < end; n++)
            {
                for (var grp = 0; grp < g.Groups; grp++)
                {
                    var output = OutputSlice(g, y, n, grp);
                    if (implicitColumns)
                    {
                        Gemm.MultiplyColumns(ImplicitColumns.Of(g, px, n, grp, tapsAsRows: false), GroupWeight(g, w, grp), true, buffer, g.OutPlane, g.GroupOutChannels, g.ColumnRows, accumulate: false);
                        Permute.Transpose2D<float>(buffer.AsSpan(0, g.OutPlane * g.GroupOutChannels), g.OutPlane, g.GroupOutChannels, output);
                        if (bias is not null)
                        {
                            AddBias(output, bias.AsSpan(grp * g.GroupOutChannels, g.GroupOutChannels), g.GroupOutChannels, g.OutPlane);
                        }

                        continue;
                    }

                    FillBias(output, bias, grp * g.GroupOutChannels, g.OutPlane);
                    Gemm.Multiply(GroupWeight(g, w, grp), false, Columns(g, x, n, grp, buffer), false, output, g.GroupOutChannels, g.OutPlane, g.ColumnRows, accumulate: bias is not null);
                }
            }
        }

        ReturnIfRented(buffer);
    }

    /// <summary>Whether the forward and the weight gradient pack the column matrix straight from the image (deep kernels, products past the GEMM's plain loop).</summary>
    private static bool UsesImplicitColumns(in ConvGeometry g) =>
        !g.IsPointwise && g.ColumnRows >= ImplicitDepthFrom && (long)g.OutPlane * g.GroupOutChannels * g.ColumnRows >= ImplicitFrom;

    /// <summary>Fills each of the planes of <paramref name="output"/> with its channel's bias (from channel <paramref name="first"/>), or leaves it when there is none.</summary>
    private static void FillBias(Span<float> output, float[]? bias, int first, int plane)
    {
        if (bias is null)
        {
            return;
        }

        for (var co = 0; co < output.Length / plane; co++)
        {
            output.Slice(co * plane, plane).Fill(bias[first + co]);
        }
    }

    /// <summary>dx [N, C, H, W] = convᵀ(dy [N, Cout, OutH, OutW], w), overwriting dx: per image, W_gᵀ·dy_g, folded back by col2im.</summary>
    public static void InputGrad(ConvGeometry g, float[] w, float[] dy, float[] dx)
    {
        if (Winograd.Fits(g))
        {
            RunWinograd(Winograd.InputGradGeometry(g), dy, Winograd.TransformKernel(w, g.OutChannels, g.InChannels, flip: true), null, dx);
            return;
        }

        var job = new ConvJob(ConvPass.InputGrad, g, dy, w, dx);
        ForEachImage(ref job);
    }

    /// <summary>y = conv(x, w) + bias through <see cref="Winograd"/>, the kernel given as its (rented) transform <paramref name="u"/>, which this returns to the pool.</summary>
    private static void RunWinograd(in ConvGeometry g, float[] x, float[] u, float[]? bias, float[] y)
    {
        var job = new ConvJob(ConvPass.Winograd, g, x, u, y) { Bias = bias };
        ForEachImage(ref job);
        BufferPool<float>.Return(u);
    }

    /// <summary>The input gradient's share of the batch through col2im, images begin..end.</summary>
    private static void InputGradImages(ConvGeometry g, float[] w, float[] dy, float[] dx, int begin, int end)
    {
        var col = g.IsPointwise ? null : BufferPool<float>.Rent(g.ColumnRows * g.OutPlane);
        for (var n = begin; n < end; n++)
        {
            for (var grp = 0; grp < g.Groups; grp++)
            {
                var target = InputSlice(g, dx, n, grp);
                var dyg = OutputSlice(g, dy, n, grp);
                if (col is null)
                {
                    Gemm.Multiply(GroupWeight(g, w, grp), true, dyg, false, target, g.ColumnRows, g.OutPlane, g.GroupOutChannels, accumulate: false);
                }
                else
                {
                    Gemm.Multiply(GroupWeight(g, w, grp), true, dyg, false, col, g.ColumnRows, g.OutPlane, g.GroupOutChannels, accumulate: false);
                    target.Clear();
                    Im2Col.FoldAdd(g, col, target);
                }
            }
        }

        ReturnIfRented(col);
    }

    /// <summary>
    /// dw [Cout, C/groups, kH, kW] += Σ over images of dy_g · col_gᵀ: for deep enough kernels as dWᵀ = col·dyᵀ
    /// with col packed straight from the image (summed per share in [taps, Cout] and transposed once at the end),
    /// else with the column matrix unfolded.
    /// </summary>
    public static void WeightGrad(ConvGeometry g, float[] x, float[] dy, Span<float> dw)
    {
        var parts = Parts(g);
        if (Winograd.Fits(g))
        {
            var length = 16 * g.OutChannels * g.InChannels;
            var shares = BufferPool<float>.RentZeroed(parts * length);
            var winograd = new ConvJob(ConvPass.WinogradKernelGrad, g, x, dy, shares) { PartLength = length };
            ForEachImage(ref winograd);
            Winograd.AddKernelGradient(SumShares(shares, parts, length), g.OutChannels, g.InChannels, dw);
            BufferPool<float>.Return(shares);
            return;
        }

        var partials = BufferPool<float>.RentZeroed(parts * dw.Length);
        var implicitColumns = UsesImplicitColumns(g);
        var transposed = implicitColumns || TransposedFillsBetter(g);
        var job = new ConvJob(ConvPass.WeightGrad, g, x, dy, partials) { ImplicitColumns = implicitColumns, Transposed = transposed, PartLength = dw.Length };
        ForEachImage(ref job);
        var sum = SumShares(partials, parts, dw.Length);

        if (transposed)
        {
            var block = g.GroupOutChannels * g.ColumnRows;
            var untransposed = BufferPool<float>.Rent(block);
            for (var grp = 0; grp < g.Groups; grp++)
            {
                var target = dw.Slice(grp * block, block);
                Permute.Transpose2D<float>(sum.Slice(grp * block, block), g.ColumnRows, g.GroupOutChannels, untransposed);
                TensorPrimitives.Add(target, untransposed.AsSpan(0, block), target);
            }

            BufferPool<float>.Return(untransposed);
        }
        else
        {
            TensorPrimitives.Add(dw, sum, dw);
        }

        BufferPool<float>.Return(partials);
    }

    /// <summary>Adds shares 1..parts − 1 of <paramref name="length"/> floats each into share 0, in order (so the sum does not depend on timing), and returns share 0.</summary>
    private static Span<float> SumShares(float[] shares, int parts, int length)
    {
        var sum = shares.AsSpan(0, length);
        for (var p = 1; p < parts; p++)
        {
            TensorPrimitives.Add(sum, shares.AsSpan(p * length, length), sum);
        }

        return sum;
    }

    /// <summary>
    /// Whether the weight gradient's GEMM fills the micro-tiles better as dwᵀ [taps, Cout] = col·dyᵀ than as
    /// dw [Cout, taps] = dy·colᵀ: a kernel of few taps, as a first layer's 9 (3×3 over one channel), leaves most of
    /// a 32-column panel empty, and as rows it fills two 6-row tiles three-quarters.
    /// </summary>
    private static bool TransposedFillsBetter(in ConvGeometry g)
    {
        static double Fill(int size, int tile) => size / (double)((size + tile - 1) / tile * tile);
        return Fill(g.ColumnRows, Gemm.MR) * Fill(g.GroupOutChannels, Gemm.NR) > Fill(g.GroupOutChannels, Gemm.MR) * Fill(g.ColumnRows, Gemm.NR);
    }

    /// <summary>The weight gradient's share of the batch, images begin..end, summed into <paramref name="sum"/> ([taps, Cout] per group when <paramref name="transposed"/>, else [Cout, taps]).</summary>
    private static unsafe void WeightGradImages(ConvGeometry g, float[] x, float[] dy, Span<float> sum, bool implicitColumns, bool transposed, int begin, int end)
    {
        var col = g.IsPointwise || implicitColumns ? null : BufferPool<float>.Rent(g.ColumnRows * g.OutPlane);
        var block = g.GroupOutChannels * g.ColumnRows;
        fixed (float* px = x)
        {
            for (var n = begin; n < end; n++)
            {
                for (var grp = 0; grp < g.Groups; grp++)
                {
                    var target = sum.Slice(grp * block, block);
                    if (implicitColumns)
                    {
                        Gemm.MultiplyColumns(ImplicitColumns.Of(g, px, n, grp, tapsAsRows: true), OutputSlice(g, dy, n, grp), true, target, g.ColumnRows, g.GroupOutChannels, g.OutPlane, accumulate: true);
                        continue;
                    }

                    if (transposed)
                    {
                        Gemm.Multiply(Columns(g, x, n, grp, col), false, OutputSlice(g, dy, n, grp), true, target, g.ColumnRows, g.GroupOutChannels, g.OutPlane, accumulate: true);
                        continue;
                    }

                    Gemm.Multiply(OutputSlice(g, dy, n, grp), false, Columns(g, x, n, grp, col), true, target, g.GroupOutChannels, g.ColumnRows, g.OutPlane, accumulate: true);
                }
            }
        }

        ReturnIfRented(col);
    }

    /// <summary>Adds bias[c] to every plane c of <paramref name="y"/>, planes of <paramref name="plane"/> elements cycling through the channels.</summary>
    public static void AddBias(Span<float> y, ReadOnlySpan<float> bias, int channels, int plane)
    {
        for (var i = 0; i < y.Length / plane; i++)
        {
            var span = y.Slice(i * plane, plane);
            TensorPrimitives.Add(span, bias[i % channels], span);
        }
    }

    /// <summary>
    /// db [channels] += the sum of each plane of <paramref name="dy"/> (all images, all positions): a bias's gradient.
    /// Large ones give each thread a share of the channels; a channel's planes are summed in the same order
    /// whatever the split, so the result does not depend on the thread count.
    /// </summary>
    public static void BiasGrad(float[] dy, int channels, int plane, Span<float> db)
    {
        var images = dy.Length / Math.Max(1, channels * plane);
        var sums = BufferPool<float>.Rent(channels);
        WorkSplitter.For(channels, Math.Max(1, WorkSplitter.ElementwiseMinimum / Math.Max(1, images * plane)), (dy, channels, plane, images, sums), static (s, first, count) =>
        {
            var (dy, channels, plane, images, sums) = s;
            for (var c = first; c < first + count; c++)
            {
                var sum = 0f;
                for (var n = 0; n < images; n++)
                {
                    sum += TensorPrimitives.Sum(dy.AsSpan(((n * channels) + c) * plane, plane));
                }

                sums[c] = sum;
            }
        });
        TensorPrimitives.Add(db, sums.AsSpan(0, channels), db);
        BufferPool<float>.Return(sums);
    }

    /// <summary>The threads the images are shared among: one per image at most.</summary>
    private static int Parts(in ConvGeometry g) => Math.Max(1, Math.Min(Threads.Count, g.Batch));

    /// <summary>
    /// Runs the job's pass on each share of the batch, on the pool when it is free, else in turn on this thread.
    /// The job stays on the caller's stack and the threads reach it through its address, so a pass allocates nothing.
    /// </summary>
    private static unsafe void ForEachImage(ref ConvJob job)
    {
        job.Parts = Parts(job.Geometry);
        if (job.Parts == 1 || !WorkSplitter.TryRun(job.Parts, (nint)Unsafe.AsPointer(ref job), static (state, part) => RunShare(ref Unsafe.AsRef<ConvJob>((void*)state), part)))
        {
            for (var part = 0; part < job.Parts; part++)
            {
                RunShare(ref job, part);
            }
        }
    }

    /// <summary>Images <paramref name="part"/>/Parts of the batch through the job's pass.</summary>
    private static void RunShare(ref ConvJob job, int part)
    {
        var g = job.Geometry;
        var (begin, end) = WorkSplitter.Range(g.Batch, part, job.Parts);
        switch (job.Pass)
        {
            case ConvPass.Forward:
                ForwardImages(g, job.Source, job.Weight, job.Bias, job.Target, begin, end);
                break;
            case ConvPass.InputGrad:
                InputGradImages(g, job.Weight, job.Source, job.Target, begin, end);
                break;
            case ConvPass.Winograd:
                Winograd.Images(g, job.Source, job.Weight, job.Bias, job.Target, begin, end);
                break;
            case ConvPass.WinogradKernelGrad:
                Winograd.KernelGradImages(g, job.Source, job.Weight, job.Target.AsSpan(part * job.PartLength, job.PartLength), begin, end);
                break;
            default:
                WeightGradImages(g, job.Source, job.Weight, job.Target.AsSpan(part * job.PartLength, job.PartLength), job.ImplicitColumns, job.Transposed, begin, end);
                break;
        }
    }

    /// <summary>The column matrix of image n, group grp: the input itself for a pointwise kernel, else unfolded into <paramref name="col"/>.</summary>
    private static ReadOnlySpan<float> Columns(in ConvGeometry g, float[] x, int n, int grp, float[]? col)
    {
        var planes = InputSlice(g, x, n, grp);
        if (col is null)
        {
            return planes;
        }

        var columns = col.AsSpan(0, g.ColumnRows * g.OutPlane);
        Im2Col.Unfold(g, planes, columns);
        return columns;
    }

    private static Span<float> InputSlice(in ConvGeometry g, float[] x, int n, int grp) =>
        x.AsSpan(((n * g.InChannels) + (grp * g.GroupInChannels)) * g.InPlane, g.GroupInChannels * g.InPlane);

    private static Span<float> OutputSlice(in ConvGeometry g, float[] y, int n, int grp) =>
        y.AsSpan(((n * g.OutChannels) + (grp * g.GroupOutChannels)) * g.OutPlane, g.GroupOutChannels * g.OutPlane);

    private static ReadOnlySpan<float> GroupWeight(in ConvGeometry g, float[] w, int grp) =>
        w.AsSpan(grp * g.GroupOutChannels * g.ColumnRows, g.GroupOutChannels * g.ColumnRows);

    private static void ReturnIfRented(float[]? array)
    {
        if (array is not null)
        {
            BufferPool<float>.Return(array);
        }
    }
}
