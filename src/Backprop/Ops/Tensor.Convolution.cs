using Backprop.Kernels;
using Backprop.Kernels.Convolution;

namespace Backprop;

public partial class Tensor
{
    /// <summary>
    /// 2-D convolution (cross-correlation, as PyTorch's conv2d) of input [N, C, H, W] with weight
    /// [Cout, C/groups, kH, kW], plus bias [Cout]. A 3-D input [C, H, W] is one image.
    /// </summary>
    /// <param name="input">The input, [N, C, H, W] or [C, H, W].</param>
    /// <param name="weight">The filters, [Cout, C/groups, kH, kW].</param>
    /// <param name="bias">The bias, [Cout], or null.</param>
    /// <param name="stride">The step between output positions (a number or a (height, width) pair).</param>
    /// <param name="padding">Zeros added on each side, "same" or "valid".</param>
    /// <param name="dilation">The spacing between kernel taps.</param>
    /// <param name="groups">Channel groups: input and output channels split into this many independent convolutions (groups = C is depthwise).</param>
    /// <returns>The output, [N, Cout, OutH, OutW].</returns>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias = null, Size2? stride = null, ConvPadding? padding = null, Size2? dilation = null, int groups = 1)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        if (input.Rank == 3)
        {
            return Conv2d(input.Unsqueeze(0), weight, bias, stride, padding, dilation, groups).Squeeze(0);
        }

        var float64 = IsFloat64("Conv2d", input, weight);
        var g = ConvGeometry.Create("Conv2d", input.Dims, weight.Dims, groups, stride ?? 1, padding ?? 0, dilation ?? 1);
        CheckBias("Conv2d", bias, g.OutChannels, input);
        if (float64)
        {
            return Conv2dComposed(input, weight, bias, g);
        }

        var result = NewOutput([g.Batch, g.OutChannels, g.OutH, g.OutW]);
        ConvKernel.Forward(g, input.Data, weight.Data, bias?.Data, result.Data);
        if (NeedsGrad(input, weight) || (bias is not null && NeedsGrad(bias)))
        {
            Tensor[] inputs = bias is null ? [input, weight] : [input, weight, bias];
            result.Record("Conv2d", inputs, g, static (g, _, x, dy) =>
            {
                Tensor input = x[0], weight = x[1];
                if (input.RequiresGrad)
                {
                    var dx = RentGradArray(input.Numel);
                    ConvKernel.InputGrad(g, weight.Data, dy, dx);
                    input.DepositGrad(dx, input.Dims, owned: true);
                }

                if (weight.RequiresGrad)
                {
                    ConvKernel.WeightGrad(g, input.Data, dy, weight.GradAccumulator());
                }

                if (x.Length > 2 && x[2].RequiresGrad)
                {
                    ConvKernel.BiasGrad(dy, g.OutChannels, g.OutPlane, x[2].GradAccumulator());
                }
            }, inputs, graph: static (g, _, dy, x) => Recompute(g, dy, x, static (g, x) => Conv2dComposed(x[0], x[1], x.Length > 2 ? x[2] : null, g)));
        }

        return result;
    }

    /// <summary>
    /// 1-D convolution of input [N, C, L] with weight [Cout, C/groups, k], plus bias [Cout] (a 2-D input
    /// [C, L] is one sequence); computed as a 2-D convolution of height 1.
    /// </summary>
    /// <param name="input">The input, [N, C, L] or [C, L].</param>
    /// <param name="weight">The filters, [Cout, C/groups, k].</param>
    /// <param name="bias">The bias, [Cout], or null.</param>
    /// <param name="stride">The step between output positions.</param>
    /// <param name="padding">Zeros added on each side, "same" or "valid" (a pair is refused: a sequence has one dimension).</param>
    /// <param name="dilation">The spacing between kernel taps.</param>
    /// <param name="groups">Channel groups.</param>
    /// <returns>The output, [N, Cout, OutL].</returns>
    public static Tensor Conv1d(Tensor input, Tensor weight, Tensor? bias = null, int stride = 1, ConvPadding? padding = null, int dilation = 1, int groups = 1)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        if (input.Rank == 2)
        {
            return Conv1d(input.Unsqueeze(0), weight, bias, stride, padding, dilation, groups).Squeeze(0);
        }

        if (input.Rank != 3 || weight.Rank != 3)
        {
            throw new ArgumentException($"Conv1d: input {Shapes.Format(input.Dims)}, weight {Shapes.Format(weight.Dims)}: both must be 3-D (input [N, C, L], weight [Cout, C/groups, k]).", nameof(input));
        }

        var pad = padding ?? 0;
        if (!pad.IsSame && pad.Size.H != pad.Size.W)
        {
            throw new ArgumentException($"Conv1d: padding {pad} must be one number for a sequence.", nameof(padding));
        }

        var padding2 = pad.IsSame ? ConvPadding.Same : (0, pad.Size.W);
        return Conv2d(input.Unsqueeze(2), weight.Unsqueeze(2), bias, (1, stride), padding2, (1, dilation), groups).Squeeze(2);
    }

    /// <summary>
    /// 2-D transposed convolution (the gradient of <see cref="Conv2d"/> with respect to its input, as
    /// PyTorch's conv_transpose2d) of input [N, Cin, H, W] with weight [Cin, Cout/groups, kH, kW]: each
    /// input value scatters a kernel-sized patch into the output. The output is
    /// (H − 1)·stride − 2·padding + dilation·(kH − 1) + outputPadding + 1 high, and likewise wide.
    /// </summary>
    /// <param name="input">The input, [N, Cin, H, W] or [Cin, H, W].</param>
    /// <param name="weight">The filters, [Cin, Cout/groups, kH, kW].</param>
    /// <param name="bias">The bias, [Cout], or null.</param>
    /// <param name="stride">The step of the matching convolution.</param>
    /// <param name="padding">The padding of the matching convolution (removed from the output's border).</param>
    /// <param name="outputPadding">Rows and columns added at the bottom and right, to reach an output size that a strided convolution maps to the same input size; less than the stride or the dilation.</param>
    /// <param name="groups">Channel groups.</param>
    /// <param name="dilation">The spacing between kernel taps.</param>
    /// <returns>The output, [N, Cout, OutH, OutW].</returns>
    public static Tensor ConvTranspose2d(Tensor input, Tensor weight, Tensor? bias = null, Size2? stride = null, Size2? padding = null, Size2? outputPadding = null, int groups = 1, Size2? dilation = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        if (input.Rank == 3)
        {
            return ConvTranspose2d(input.Unsqueeze(0), weight, bias, stride, padding, outputPadding, groups, dilation).Squeeze(0);
        }

        var float64 = IsFloat64("ConvTranspose2d", input, weight);
        Size2 s = stride ?? 1, p = padding ?? 0, op = outputPadding ?? 0, d = dilation ?? 1;
        if (input.Rank != 4 || weight.Rank != 4 || groups <= 0 || input.Dims[1] != weight.Dims[0] || weight.Dims[0] % groups != 0)
        {
            throw new ArgumentException($"ConvTranspose2d: input {Shapes.Format(input.Dims)}, weight {Shapes.Format(weight.Dims)}, groups {groups}: need input [N, Cin, H, W] and weight [Cin, Cout/groups, kH, kW] with Cin divisible by groups.", nameof(weight));
        }

        if (op.H < 0 || op.W < 0 || (op.H >= s.H && op.H >= d.H) || (op.W >= s.W && op.W >= d.W))
        {
            throw new ArgumentException($"ConvTranspose2d: output padding {op} must be smaller than the stride {s} or the dilation {d}.", nameof(outputPadding));
        }

        var outChannels = weight.Dims[1] * groups;
        var outH = ((input.Dims[2] - 1) * s.H) - (2 * p.H) + (d.H * (weight.Dims[2] - 1)) + op.H + 1;
        var outW = ((input.Dims[3] - 1) * s.W) - (2 * p.W) + (d.W * (weight.Dims[3] - 1)) + op.W + 1;
        if (outH <= 0 || outW <= 0)
        {
            throw new ArgumentException($"ConvTranspose2d: input {Shapes.Format(input.Dims)} with weight {Shapes.Format(weight.Dims)}, stride {s} and padding {p} gives an empty output ({outH}×{outW}).", nameof(padding));
        }

        // The matching convolution maps [N, Cout, outH, outW] to this input, with the weight read as [Cin, Cout/groups, kH, kW].
        var g = ConvGeometry.Create("ConvTranspose2d", [input.Dims[0], outChannels, outH, outW], weight.Dims, groups, s, ConvPadding.FromSize2(p), d);
        CheckBias("ConvTranspose2d", bias, outChannels, input);
        if (float64)
        {
            return ConvTranspose2dComposed(input, weight, bias, g);
        }

        var result = NewOutput([g.Batch, outChannels, outH, outW]);
        ConvKernel.InputGrad(g, weight.Data, input.Data, result.Data);
        if (bias is not null)
        {
            ConvKernel.AddBias(result.Data, bias.Data, outChannels, g.InPlane);
        }

        if (NeedsGrad(input, weight) || (bias is not null && NeedsGrad(bias)))
        {
            Tensor[] inputs = bias is null ? [input, weight] : [input, weight, bias];
            result.Record("ConvTranspose2d", inputs, dy =>
            {
                if (input.RequiresGrad)
                {
                    var dx = RentGradArray(input.Numel);
                    ConvKernel.Forward(g, dy, weight.Data, null, dx);
                    input.DepositGrad(dx, input.Dims, owned: true);
                }

                if (weight.RequiresGrad)
                {
                    ConvKernel.WeightGrad(g, dy, input.Data, weight.GradAccumulator());
                }

                if (bias is { RequiresGrad: true })
                {
                    ConvKernel.BiasGrad(dy, outChannels, g.InPlane, bias.GradAccumulator());
                }
            }, inputs, graph: Recomputed(x => ConvTranspose2dComposed(x[0], x[1], x.Length > 2 ? x[2] : null, g)));
        }

        return result;
    }

    private static void CheckBias(string op, Tensor? bias, int channels, Tensor input)
    {
        if (bias is not null && (bias.Rank != 1 || bias.Dims[0] != channels))
        {
            throw new ArgumentException($"{op}: bias {Shapes.Format(bias.Dims)} must be [{channels}], one value per output channel.", nameof(bias));
        }

        if (bias is not null)
        {
            IsFloat64(op, input, bias);
        }
    }
}
