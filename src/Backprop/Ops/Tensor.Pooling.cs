using Backprop.Kernels;
using Backprop.Kernels.Pooling;

namespace Backprop;

public partial class Tensor
{
    /// <summary>2-D max pooling over [N, C, H, W] (or [C, H, W]): the largest value of each window, NaN winning as in PyTorch.</summary>
    /// <param name="input">The input.</param>
    /// <param name="kernelSize">The window.</param>
    /// <param name="stride">The step between windows; the window itself when null.</param>
    /// <param name="padding">Implicit −∞ added on each side, at most half the window.</param>
    /// <param name="dilation">The spacing between a window's taps.</param>
    /// <param name="ceilMode">Round the output size up, so a partial last window counts.</param>
    /// <returns>The pooled values.</returns>
    public static Tensor MaxPool2d(Tensor input, Size2 kernelSize, Size2? stride = null, Size2? padding = null, Size2? dilation = null, bool ceilMode = false) =>
        MaxPool2dWithIndices(input, kernelSize, stride, padding, dilation, ceilMode).Values;

    /// <summary>
    /// <see cref="MaxPool2d"/> that also returns, as int64, where each maximum was: its flat index within
    /// its input plane (PyTorch's return_indices, which MaxUnpool reads).
    /// </summary>
    /// <param name="input">The input.</param>
    /// <param name="kernelSize">The window.</param>
    /// <param name="stride">The step between windows; the window itself when null.</param>
    /// <param name="padding">Implicit −∞ added on each side, at most half the window.</param>
    /// <param name="dilation">The spacing between a window's taps.</param>
    /// <param name="ceilMode">Round the output size up.</param>
    /// <returns>The pooled values and the int64 indices of the maxima.</returns>
    public static (Tensor Values, Tensor Indices) MaxPool2dWithIndices(Tensor input, Size2 kernelSize, Size2? stride = null, Size2? padding = null, Size2? dilation = null, bool ceilMode = false)
    {
        Size2 s = stride ?? kernelSize, p = padding ?? 0, d = dilation ?? 1;
        return MaxPoolCore("MaxPool2d", input, new PoolWindows(kernelSize, s, p, d, ceilMode, CountIncludePad: false, AdaptiveOutput: null));
    }

    /// <summary>2-D average pooling over [N, C, H, W] (or [C, H, W]).</summary>
    /// <param name="input">The input.</param>
    /// <param name="kernelSize">The window.</param>
    /// <param name="stride">The step between windows; the window itself when null.</param>
    /// <param name="padding">Zeros added on each side, at most half the window.</param>
    /// <param name="ceilMode">Round the output size up.</param>
    /// <param name="countIncludePad">Whether the padding's zeros count in the divisor.</param>
    /// <param name="divisorOverride">Divide every window's sum by this instead, when positive.</param>
    /// <returns>The window averages.</returns>
    public static Tensor AvgPool2d(Tensor input, Size2 kernelSize, Size2? stride = null, Size2? padding = null, bool ceilMode = false, bool countIncludePad = true, int divisorOverride = 0)
    {
        Size2 s = stride ?? kernelSize, p = padding ?? 0;
        return AvgPoolCore("AvgPool2d", input, divisorOverride, new PoolWindows(kernelSize, s, p, 1, ceilMode, countIncludePad, AdaptiveOutput: null));
    }

    /// <summary>Average pooling to a fixed output size, with PyTorch's adaptive windows (they may overlap).</summary>
    /// <param name="input">The input, [N, C, H, W] or [C, H, W].</param>
    /// <param name="outputSize">The output's height and width.</param>
    /// <returns>The pooled input, [N, C, outH, outW].</returns>
    public static Tensor AdaptiveAvgPool2d(Tensor input, Size2 outputSize) =>
        AvgPoolCore("AdaptiveAvgPool2d", input, 0, PoolWindows.Adaptive(outputSize));

    /// <summary>Max pooling to a fixed output size, with PyTorch's adaptive windows.</summary>
    /// <param name="input">The input, [N, C, H, W] or [C, H, W].</param>
    /// <param name="outputSize">The output's height and width.</param>
    /// <returns>The pooled input, [N, C, outH, outW].</returns>
    public static Tensor AdaptiveMaxPool2d(Tensor input, Size2 outputSize) =>
        AdaptiveMaxPool2dWithIndices(input, outputSize).Values;

    /// <summary><see cref="AdaptiveMaxPool2d"/> with the int64 flat indices of the maxima within their planes.</summary>
    /// <param name="input">The input, [N, C, H, W] or [C, H, W].</param>
    /// <param name="outputSize">The output's height and width.</param>
    /// <returns>The pooled values and the indices of the maxima.</returns>
    public static (Tensor Values, Tensor Indices) AdaptiveMaxPool2dWithIndices(Tensor input, Size2 outputSize) =>
        MaxPoolCore("AdaptiveMaxPool2d", input, PoolWindows.Adaptive(outputSize));

    private static (Tensor Values, Tensor Indices) MaxPoolCore(string op, Tensor input, PoolWindows windows)
    {
        var (planes, outShape, rows, cols) = PoolShape(op, input, windows);
        if (input._dtype == DType.Float64)
        {
            return MaxPoolComposed(op, input, rows, cols, planes, outShape);
        }

        var values = NewOutput(outShape);
        var indices = NewOutput<long>(outShape);
        var where = indices.Storage<long>();
        PoolKernel.Max(input.Data, rows, cols, planes, values.Data, where);
        if (NeedsGrad(input))
        {
            values.Record(op, [input], (op, where, rows, cols, planes, outShape), static (s, values, x, g) =>
            {
                var input = x[0];
                var dx = RentGradArray(input.Numel);
                PoolKernel.MaxBackward(g, s.where, s.rows.Input * s.cols.Input, s.rows.Output * s.cols.Output, s.planes, dx);
                input.DepositGrad(dx, input.Dims, owned: true);
            }, graph: static (s, values, g, x) => Recompute(s, g, x, static (s, x) => MaxPoolComposed(s.op, x[0], s.rows, s.cols, s.planes, s.outShape).Values));
        }

        return (values, indices);
    }

    private static Tensor AvgPoolCore(string op, Tensor input, int divisorOverride, PoolWindows windows)
    {
        var (planes, outShape, rows, cols) = PoolShape(op, input, windows);
        if (input._dtype == DType.Float64)
        {
            return AvgPoolComposed(op, input, rows, cols, planes, divisorOverride, outShape);
        }

        var result = NewOutput(outShape);
        PoolKernel.Average(input.Data, rows, cols, planes, divisorOverride, result.Data);
        if (NeedsGrad(input))
        {
            result.Record(op, [input], g =>
            {
                var dx = RentZeroedGradArray(input.Numel);
                PoolKernel.AverageBackward(g, rows, cols, planes, divisorOverride, dx);
                input.DepositGrad(dx, input.Dims, owned: true);
            }, graph: Recomputed(x => AvgPoolComposed(op, x[0], rows, cols, planes, divisorOverride, outShape)));
        }

        return result;
    }

    private static (int Planes, int[] OutShape, PoolAxis Rows, PoolAxis Cols) PoolShape(string op, Tensor input, PoolWindows windows)
    {
        ArgumentNullException.ThrowIfNull(input);
        RequireFloating(op, input);
        if (input.Rank is not (3 or 4))
        {
            throw new ArgumentException($"{op}: input {Shapes.Format(input.Dims)} must be [N, C, H, W] or [C, H, W].", nameof(input));
        }

        int h = input.Dims[^2], w = input.Dims[^1];
        (PoolAxis Rows, PoolAxis Cols) axes;
        try
        {
            axes = windows.Axes(op, h, w);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"{e.Message} (input {Shapes.Format(input.Dims)})", nameof(input), e);
        }

        var outShape = (int[])input.Dims.Clone();
        outShape[^2] = axes.Rows.Output;
        outShape[^1] = axes.Cols.Output;
        return (input.Numel / Math.Max(1, h * w), outShape, axes.Rows, axes.Cols);
    }
}
