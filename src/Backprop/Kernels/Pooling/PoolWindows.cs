namespace Backprop.Kernels.Pooling;

/// <summary>
/// How a pooling op lays its windows over an image, before the image's size is known: sliding windows (a kernel,
/// stride, padding and dilation) or adaptive ones (a fixed output size). A value, so that a call makes no closure.
/// </summary>
/// <param name="Kernel">The sliding window's size (unused for adaptive windows).</param>
/// <param name="Stride">The step between sliding windows.</param>
/// <param name="Padding">The padding on each side.</param>
/// <param name="Dilation">The spacing between a sliding window's taps.</param>
/// <param name="CeilMode">Round the output size up.</param>
/// <param name="CountIncludePad">Whether an average counts the padding.</param>
/// <param name="AdaptiveOutput">The output size of adaptive windows, or null for sliding ones.</param>
internal readonly record struct PoolWindows(Size2 Kernel, Size2 Stride, Size2 Padding, Size2 Dilation, bool CeilMode, bool CountIncludePad, Size2? AdaptiveOutput)
{
    /// <summary>Adaptive windows giving <paramref name="output"/>.</summary>
    /// <param name="output">The output's height and width.</param>
    /// <returns>The windows.</returns>
    public static PoolWindows Adaptive(Size2 output) => new(default, default, default, default, false, false, output);

    /// <summary>The windows along the rows and columns of an <paramref name="h"/> × <paramref name="w"/> image.</summary>
    /// <param name="op">The op, for errors.</param>
    /// <param name="h">The image's height.</param>
    /// <param name="w">The image's width.</param>
    /// <returns>The two axes.</returns>
    public (PoolAxis Rows, PoolAxis Cols) Axes(string op, int h, int w) => AdaptiveOutput is { } output
        ? (PoolAxis.Adaptive(op, h, output.H), PoolAxis.Adaptive(op, w, output.W))
        : (PoolAxis.Sliding(op, h, Kernel.H, Stride.H, Padding.H, Dilation.H, CeilMode, CountIncludePad),
           PoolAxis.Sliding(op, w, Kernel.W, Stride.W, Padding.W, Dilation.W, CeilMode, CountIncludePad));
}
