namespace Backprop.NN;

/// <summary>2-D max pooling, as torch.nn.MaxPool2d (the stride defaults to the window).</summary>
/// <param name="kernelSize">The window.</param>
/// <param name="stride">The step between windows; the window when null.</param>
/// <param name="padding">Implicit −∞ on each side, at most half the window.</param>
/// <param name="dilation">The spacing between a window's taps.</param>
/// <param name="ceilMode">Round the output size up.</param>
public sealed class MaxPool2d(Size2 kernelSize, Size2? stride = null, Size2? padding = null, Size2? dilation = null, bool ceilMode = false) : Module<Tensor, Tensor>
{
    /// <summary>The window.</summary>
    public Size2 KernelSize { get; } = kernelSize;

    /// <summary>The step between windows.</summary>
    public Size2 Stride { get; } = stride ?? kernelSize;

    /// <summary>The padding.</summary>
    public Size2 Padding { get; } = padding ?? 0;

    /// <summary>The spacing between a window's taps.</summary>
    public Size2 Dilation { get; } = dilation ?? 1;

    /// <summary>Whether the output size is rounded up.</summary>
    public bool CeilMode { get; } = ceilMode;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Tensor.MaxPool2d(input, KernelSize, Stride, Padding, Dilation, CeilMode);

    /// <summary>
    /// The pooled values and, for each, the int64 position of the maximum in its input plane (h·W + w), as
    /// torch.nn.MaxPool2d(return_indices=True) returns them. The values are Forward's, differentiable as they are.
    /// </summary>
    /// <param name="input">[N, C, H, W] or [C, H, W].</param>
    /// <returns>The values and the indices, both shaped like the output.</returns>
    public (Tensor Values, Tensor Indices) ForwardWithIndices(Tensor input) => Tensor.MaxPool2dWithIndices(input, KernelSize, Stride, Padding, Dilation, CeilMode);

    /// <inheritdoc/>
    public override string ToString() =>
        $"MaxPool2d(kernel_size={PyText.Of(KernelSize)}, stride={PyText.Of(Stride)}, padding={PyText.Of(Padding)}, dilation={PyText.Of(Dilation)}, ceil_mode={PyText.Of(CeilMode)})";
}
