namespace Backprop.NN;

/// <summary>
/// A 1-D convolution layer over [N, C, L], as torch.nn.Conv1d: <see cref="ConvBase.Weight"/> [out, in/groups, k]
/// and <see cref="ConvBase.Bias"/> [out], initialised like PyTorch (uniform in ±1/√(in/groups·k)).
/// </summary>
public sealed class Conv1d : ConvBase
{
    /// <summary>Makes a layer.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels (filters).</param>
    /// <param name="kernelSize">The filter length.</param>
    /// <param name="stride">The step between output positions.</param>
    /// <param name="padding">Padding on each side: a number, "same" or "valid".</param>
    /// <param name="dilation">The spacing between filter taps.</param>
    /// <param name="groups">Channel groups.</param>
    /// <param name="bias">Whether the layer has a bias.</param>
    /// <param name="paddingMode">What the padding holds: zeros, or the input reflected, replicated or wrapped.</param>
    /// <param name="generator">The random source; null uses <see cref="Generator.Default"/>.</param>
    public Conv1d(int inChannels, int outChannels, int kernelSize, int stride = 1, ConvPadding? padding = null, int dilation = 1, int groups = 1, bool bias = true, PadMode paddingMode = PadMode.Constant, Generator? generator = null)
        : base(inChannels, outChannels, groups, [outChannels, inChannels / Math.Max(groups, 1), kernelSize], bias, generator)
    {
        (KernelSize, Stride, Dilation, PaddingMode) = (kernelSize, stride, dilation, paddingMode);
        Padding = padding ?? 0;
    }

    /// <summary>The filter length.</summary>
    public int KernelSize { get; }

    /// <summary>The step between output positions.</summary>
    public int Stride { get; }

    /// <summary>The padding.</summary>
    public ConvPadding Padding { get; }

    /// <summary>The spacing between filter taps.</summary>
    public int Dilation { get; }

    /// <summary>What the padding holds.</summary>
    public PadMode PaddingMode { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (PaddingMode == PadMode.Constant)
        {
            return Tensor.Conv1d(input, Weight, Bias, Stride, Padding, Dilation, Groups);
        }

        var (left, right) = Padding.Columns(KernelSize, Dilation);
        return Tensor.Conv1d(input.Pad([left, right], PaddingMode), Weight, Bias, Stride, 0, Dilation, Groups);
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"Conv1d({InChannels}, {OutChannels}, kernel_size=({KernelSize},), stride=({Stride},)"
        + ConvPaddingModes.Describe(
            Padding.IsSame ? Padding.ToString() : Padding.Size.W > 0 ? $"({Padding.Size.W},)" : null,
            Dilation != 1 ? $"({Dilation},)" : null,
            Groups,
            Bias is not null,
            PaddingMode) + ")";
}
