namespace Backprop.NN;

/// <summary>2-D average pooling, as torch.nn.AvgPool2d (the stride defaults to the window).</summary>
/// <param name="kernelSize">The window.</param>
/// <param name="stride">The step between windows; the window when null.</param>
/// <param name="padding">Zeros on each side, at most half the window.</param>
/// <param name="ceilMode">Round the output size up.</param>
/// <param name="countIncludePad">Whether the padding's zeros count in the divisor.</param>
/// <param name="divisorOverride">Divide every window's sum by this instead, when positive.</param>
public sealed class AvgPool2d(Size2 kernelSize, Size2? stride = null, Size2? padding = null, bool ceilMode = false, bool countIncludePad = true, int divisorOverride = 0) : Module<Tensor, Tensor>
{
    /// <summary>The window.</summary>
    public Size2 KernelSize { get; } = kernelSize;

    /// <summary>The step between windows.</summary>
    public Size2 Stride { get; } = stride ?? kernelSize;

    /// <summary>The padding.</summary>
    public Size2 Padding { get; } = padding ?? 0;

    /// <summary>Whether the output size is rounded up.</summary>
    public bool CeilMode { get; } = ceilMode;

    /// <summary>Whether the padding counts in the divisor.</summary>
    public bool CountIncludePad { get; } = countIncludePad;

    /// <summary>The divisor used instead of the window's size, when positive.</summary>
    public int DivisorOverride { get; } = divisorOverride;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Tensor.AvgPool2d(input, KernelSize, Stride, Padding, CeilMode, CountIncludePad, DivisorOverride);

    /// <inheritdoc/>
    public override string ToString() => $"AvgPool2d(kernel_size={PyText.Of(KernelSize)}, stride={PyText.Of(Stride)}, padding={PyText.Of(Padding)})";
}
