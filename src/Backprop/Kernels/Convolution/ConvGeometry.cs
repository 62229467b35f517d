namespace Backprop.Kernels.Convolution;

/// <summary>
/// The shape of one 2-D convolution over NCHW data: batch, channels, input and output planes, kernel,
/// stride, padding (top/left, with the output size absorbing any extra at the bottom/right) and dilation.
/// </summary>
internal readonly record struct ConvGeometry(
    int Batch,
    int InChannels,
    int InH,
    int InW,
    int OutChannels,
    int Groups,
    int KernelH,
    int KernelW,
    int StrideH,
    int StrideW,
    int PadH,
    int PadW,
    int DilationH,
    int DilationW,
    int OutH,
    int OutW)
{
    /// <summary>Input channels per group.</summary>
    public int GroupInChannels => InChannels / Groups;

    /// <summary>Output channels per group.</summary>
    public int GroupOutChannels => OutChannels / Groups;

    /// <summary>Rows of one group's im2col matrix: its input channels times the kernel's taps.</summary>
    public int ColumnRows => GroupInChannels * KernelH * KernelW;

    /// <summary>Positions in one output plane (the columns of the im2col matrix).</summary>
    public int OutPlane => OutH * OutW;

    /// <summary>Elements of one input plane.</summary>
    public int InPlane => InH * InW;

    /// <summary>Whether the im2col matrix of a group is its input itself (a 1×1 kernel, stride 1, no padding).</summary>
    public bool IsPointwise => KernelH == 1 && KernelW == 1 && StrideH == 1 && StrideW == 1 && PadH == 0 && PadW == 0 && OutH == InH && OutW == InW;

    /// <summary>Multiply-adds of one pass (forward, input gradient or weight gradient).</summary>
    public long MultiplyAdds => (long)Batch * OutChannels * ColumnRows * OutPlane;

    /// <summary>
    /// The geometry of <paramref name="op"/> for input [N, C, H, W] and weight [Cout, C/groups, kH, kW], or
    /// an error naming the op and the shapes.
    /// </summary>
    public static ConvGeometry Create(string op, int[] input, int[] weight, int groups, Size2 stride, ConvPadding padding, Size2 dilation)
    {
        string Shapes2() => $"{op}: input {Shapes.Format(input)}, weight {Shapes.Format(weight)}";
        if (input.Length != 4 || weight.Length != 4)
        {
            throw new ArgumentException($"{Shapes2()}: both must be 4-D (input [N, C, H, W], weight [Cout, C/groups, kH, kW]).");
        }

        if (groups <= 0 || stride.H <= 0 || stride.W <= 0 || dilation.H <= 0 || dilation.W <= 0)
        {
            throw new ArgumentException($"{Shapes2()}: groups {groups}, stride {stride} and dilation {dilation} must be positive.");
        }

        int n = input[0], c = input[1], h = input[2], w = input[3];
        int cout = weight[0], kh = weight[2], kw = weight[3];
        if (c % groups != 0 || cout % groups != 0 || weight[1] * groups != c)
        {
            throw new ArgumentException($"{Shapes2()}: with groups={groups}, the input's {c} channels and the weight's {cout} outputs must divide by {groups}, and the weight must read {c}/{groups} input channels (it reads {weight[1]}).");
        }

        if (kh <= 0 || kw <= 0)
        {
            throw new ArgumentException($"{Shapes2()}: the kernel must not be empty.");
        }

        int spanH = (dilation.H * (kh - 1)) + 1, spanW = (dilation.W * (kw - 1)) + 1;
        if (padding.IsSame && (stride.H != 1 || stride.W != 1))
        {
            throw new ArgumentException($"{Shapes2()}: padding 'same' needs stride 1 (got {stride}), as in PyTorch.");
        }

        var (padTop, padBottom) = padding.Rows(kh, dilation.H);
        var (padLeft, padRight) = padding.Columns(kw, dilation.W);
        var paddedH = h + padTop + padBottom;
        var paddedW = w + padLeft + padRight;
        if (paddedH < spanH || paddedW < spanW)
        {
            throw new ArgumentException($"{Shapes2()}: the padded input ({paddedH}×{paddedW}) is smaller than the kernel's reach ({spanH}×{spanW}).");
        }

        var outH = ((paddedH - spanH) / stride.H) + 1;
        var outW = ((paddedW - spanW) / stride.W) + 1;
        return new ConvGeometry(n, c, h, w, cout, groups, kh, kw, stride.H, stride.W, padTop, padLeft, dilation.H, dilation.W, outH, outW);
    }
}
