namespace Backprop.NN;

/// <summary>
/// A 2-D transposed convolution layer, as torch.nn.ConvTranspose2d: <see cref="ConvBase.Weight"/> [in, out/groups, kH, kW]
/// and <see cref="ConvBase.Bias"/> [out], initialised like PyTorch (uniform in ±1/√(out/groups·kH·kW), its fan-in rule
/// reading the weight's second dimension).
/// </summary>
public sealed class ConvTranspose2d : ConvBase
{
    /// <summary>Makes a layer.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="kernelSize">The filter size.</param>
    /// <param name="stride">The stride of the matching convolution.</param>
    /// <param name="padding">The padding of the matching convolution.</param>
    /// <param name="outputPadding">Extra rows and columns at the bottom and right of the output.</param>
    /// <param name="groups">Channel groups.</param>
    /// <param name="bias">Whether the layer has a bias.</param>
    /// <param name="dilation">The spacing between filter taps.</param>
    /// <param name="generator">The random source; null uses <see cref="Generator.Default"/>.</param>
    public ConvTranspose2d(int inChannels, int outChannels, Size2 kernelSize, Size2? stride = null, Size2? padding = null, Size2? outputPadding = null, int groups = 1, bool bias = true, Size2? dilation = null, Generator? generator = null)
        : base(inChannels, outChannels, groups, [inChannels, outChannels / Math.Max(groups, 1), kernelSize.H, kernelSize.W], bias, generator)
    {
        KernelSize = kernelSize;
        Stride = stride ?? 1;
        Padding = padding ?? 0;
        OutputPadding = outputPadding ?? 0;
        Dilation = dilation ?? 1;
    }

    /// <summary>The filter size.</summary>
    public Size2 KernelSize { get; }

    /// <summary>The stride of the matching convolution.</summary>
    public Size2 Stride { get; }

    /// <summary>The padding of the matching convolution.</summary>
    public Size2 Padding { get; }

    /// <summary>Extra rows and columns at the bottom and right of the output.</summary>
    public Size2 OutputPadding { get; }

    /// <summary>The spacing between filter taps.</summary>
    public Size2 Dilation { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Tensor.ConvTranspose2d(input, Weight, Bias, Stride, Padding, OutputPadding, Groups, Dilation);

    /// <inheritdoc/>
    public override string ToString() =>
        $"ConvTranspose2d({InChannels}, {OutChannels}, kernel_size={KernelSize}, stride={Stride}"
        + ConvPaddingModes.Describe(
            Padding != new Size2(0, 0) ? Padding.ToString() : null,
            Dilation != new Size2(1, 1) ? Dilation.ToString() : null,
            Groups,
            Bias is not null,
            PadMode.Constant,
            OutputPadding != new Size2(0, 0) ? OutputPadding.ToString() : null) + ")";
}
