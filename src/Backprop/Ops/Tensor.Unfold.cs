using Backprop.Kernels;
using Backprop.Kernels.Convolution;

namespace Backprop;

public partial class Tensor
{
    /// <summary>
    /// im2col, as PyTorch's nn.functional.unfold: the sliding kH×kW patches of [N, C, H, W] as columns,
    /// [N, C·kH·kW, L] with L the number of patch positions; a row per (channel, kernel row, kernel column).
    /// A convolution is W[Cout, C·kH·kW] · Unfold(x).
    /// </summary>
    /// <param name="input">The input, [N, C, H, W].</param>
    /// <param name="kernelSize">The patch size.</param>
    /// <param name="dilation">The spacing between a patch's taps.</param>
    /// <param name="padding">Zeros added on each side.</param>
    /// <param name="stride">The step between patches.</param>
    /// <returns>The patches, [N, C·kH·kW, L].</returns>
    public static Tensor Unfold(Tensor input, Size2 kernelSize, Size2? dilation = null, Size2? padding = null, Size2? stride = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        RequireFloating("Unfold", input);
        var g = PatchGeometry("Unfold", input.Dims, kernelSize, dilation, padding, stride);
        if (input._dtype == DType.Float64)
        {
            return UnfoldComposed(input, g);
        }

        var columns = g.ColumnRows * g.OutPlane;
        var result = NewOutput([g.Batch, g.ColumnRows, g.OutPlane]);
        for (var n = 0; n < g.Batch; n++)
        {
            Im2Col.Unfold(g, input.Data.AsSpan(n * g.InChannels * g.InPlane, g.InChannels * g.InPlane), result.Data.AsSpan(n * columns, columns));
        }

        if (NeedsGrad(input))
        {
            result.Record("Unfold", [input], dy =>
            {
                var dx = RentZeroedGradArray(input.Numel);
                for (var n = 0; n < g.Batch; n++)
                {
                    Im2Col.FoldAdd(g, dy.AsSpan(n * columns, columns), dx.AsSpan(n * g.InChannels * g.InPlane, g.InChannels * g.InPlane));
                }

                input.DepositGrad(dx, input.Dims, owned: true);
            }, graph: (o, dy, x) => [FoldComposed(dy, g)]);
        }

        return result;
    }

    /// <summary>
    /// col2im, as PyTorch's nn.functional.fold: sums columns [N, C·kH·kW, L] of patches back into
    /// [N, C, H, W], overlapping patches adding up; the adjoint of <see cref="Unfold"/>.
    /// </summary>
    /// <param name="input">The patches, [N, C·kH·kW, L].</param>
    /// <param name="outputSize">The output's height and width.</param>
    /// <param name="kernelSize">The patch size.</param>
    /// <param name="dilation">The spacing between a patch's taps.</param>
    /// <param name="padding">The padding the patches were taken with.</param>
    /// <param name="stride">The step between patches.</param>
    /// <returns>The summed image, [N, C, H, W].</returns>
    public static Tensor Fold(Tensor input, Size2 outputSize, Size2 kernelSize, Size2? dilation = null, Size2? padding = null, Size2? stride = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        RequireFloating("Fold", input);
        var taps = kernelSize.H * kernelSize.W;
        if (input.Rank != 3 || taps <= 0 || input.Dims[1] % taps != 0)
        {
            throw new ArgumentException($"Fold: input {Shapes.Format(input.Dims)} must be [N, C·{kernelSize.H}·{kernelSize.W}, L].", nameof(input));
        }

        var g = PatchGeometry("Fold", [input.Dims[0], input.Dims[1] / taps, outputSize.H, outputSize.W], kernelSize, dilation, padding, stride);
        if (g.OutPlane != input.Dims[2])
        {
            throw new ArgumentException($"Fold: input {Shapes.Format(input.Dims)} holds {input.Dims[2]} patches, but a {outputSize} output with kernel {kernelSize} has {g.OutPlane}.", nameof(input));
        }

        if (input._dtype == DType.Float64)
        {
            return FoldComposed(input, g);
        }

        var columns = g.ColumnRows * g.OutPlane;
        var result = NewOutput([g.Batch, g.InChannels, g.InH, g.InW], zeroed: true);
        for (var n = 0; n < g.Batch; n++)
        {
            Im2Col.FoldAdd(g, input.Data.AsSpan(n * columns, columns), result.Data.AsSpan(n * g.InChannels * g.InPlane, g.InChannels * g.InPlane));
        }

        if (NeedsGrad(input))
        {
            result.Record("Fold", [input], dy =>
            {
                var dx = RentGradArray(input.Numel);
                for (var n = 0; n < g.Batch; n++)
                {
                    Im2Col.Unfold(g, dy.AsSpan(n * g.InChannels * g.InPlane, g.InChannels * g.InPlane), dx.AsSpan(n * columns, columns));
                }

                input.DepositGrad(dx, input.Dims, owned: true);
            }, graph: (o, dy, x) => [UnfoldComposed(dy, g)]);
        }

        return result;
    }

    /// <summary>The convolution geometry of patches over [N, C, H, W] (one output channel, one group).</summary>
    private static ConvGeometry PatchGeometry(string op, int[] image, Size2 kernelSize, Size2? dilation, Size2? padding, Size2? stride)
    {
        if (image.Length != 4)
        {
            throw new ArgumentException($"{op}: the image {Shapes.Format(image)} must be [N, C, H, W].");
        }

        return ConvGeometry.Create(op, image, [1, image[1], kernelSize.H, kernelSize.W], 1, stride ?? 1, ConvPadding.FromSize2(padding ?? 0), dilation ?? 1);
    }
}
