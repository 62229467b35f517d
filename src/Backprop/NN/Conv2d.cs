namespace Backprop.NN;

/// <summary>
/// A 2-D convolution layer over [N, C, H, W], as torch.nn.Conv2d: <see cref="ConvBase.Weight"/> [out, in/groups, kH, kW]
/// and <see cref="ConvBase.Bias"/> [out], initialised like PyTorch (uniform in ±1/√fan_in, fan_in = in/groups·kH·kW).
/// </summary>
public sealed class Conv2d : ConvBase
{
    /// <summary>Makes a layer.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels (filters).</param>
    /// <param name="kernelSize">The filter size, a number or (height, width).</param>
    /// <param name="stride">The step between output positions.</param>
    /// <param name="padding">Padding on each side: a number, a pair, "same" or "valid".</param>
    /// <param name="dilation">The spacing between filter taps.</param>
    /// <param name="groups">Channel groups (groups = inChannels is depthwise).</param>
    /// <param name="bias">Whether the layer has a bias.</param>
    /// <param name="paddingMode">What the padding holds: zeros (<see cref="PadMode.Constant"/>), or the input reflected, replicated or wrapped.</param>
    /// <param name="generator">The random source; null uses <see cref="Generator.Default"/>.</param>
    public Conv2d(int inChannels, int outChannels, Size2 kernelSize, Size2? stride = null, ConvPadding? padding = null, Size2? dilation = null, int groups = 1, bool bias = true, PadMode paddingMode = PadMode.Constant, Generator? generator = null)
        : base(inChannels, outChannels, groups, [outChannels, inChannels / Math.Max(groups, 1), kernelSize.H, kernelSize.W], bias, generator)
    {
        (KernelSize, PaddingMode) = (kernelSize, paddingMode);
        Stride = stride ?? 1;
        Padding = padding ?? 0;
        Dilation = dilation ?? 1;
    }

    /// <summary>The filter size.</summary>
    public Size2 KernelSize { get; }

    /// <summary>The step between output positions.</summary>
    public Size2 Stride { get; }

    /// <summary>The padding.</summary>
    public ConvPadding Padding { get; }

    /// <summary>The spacing between filter taps.</summary>
    public Size2 Dilation { get; }

    /// <summary>What the padding holds.</summary>
    public PadMode PaddingMode { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (PaddingMode == PadMode.Constant)
        {
            return Tensor.Conv2d(input, Weight, Bias, Stride, Padding, Dilation, Groups);
        }

        var (top, bottom) = Padding.Rows(KernelSize.H, Dilation.H);
        var (left, right) = Padding.Columns(KernelSize.W, Dilation.W);
        return Tensor.Conv2d(input.Pad([left, right, top, bottom], PaddingMode), Weight, Bias, Stride, 0, Dilation, Groups);
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"Conv2d({InChannels}, {OutChannels}, kernel_size={KernelSize}, stride={Stride}"
        + ConvPaddingModes.Describe(
            Padding.IsSame || Padding.Size != new Size2(0, 0) ? Padding.ToString() : null,
            Dilation != new Size2(1, 1) ? Dilation.ToString() : null,
            Groups,
            Bias is not null,
            PaddingMode) + ")";
}
