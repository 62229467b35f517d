using Backprop.Kernels;

namespace Backprop;

public partial class Tensor
{
    /// <summary>
    /// Resizes [N, C, H, W] (or [C, H, W]) images, as PyTorch's interpolate: to <paramref name="size"/>, or by
    /// <paramref name="scaleFactor"/> (one of the two), with nearest or bilinear sampling. Bilinear with
    /// <paramref name="alignCorners"/> maps the corner pixels onto each other; without it (the default) pixel
    /// centres are spaced evenly.
    /// </summary>
    /// <param name="input">The images.</param>
    /// <param name="size">The output's height and width, or null.</param>
    /// <param name="scaleFactor">The factor along height and width, or null.</param>
    /// <param name="mode">Nearest or bilinear.</param>
    /// <param name="alignCorners">Bilinear only: align the corner pixels.</param>
    /// <returns>The resized images.</returns>
    public static Tensor Upsample(Tensor input, Size2? size = null, double? scaleFactor = null, UpsampleMode mode = UpsampleMode.Nearest, bool alignCorners = false)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank == 3)
        {
            return Upsample(input.Unsqueeze(0), size, scaleFactor, mode, alignCorners).Squeeze(0);
        }

        RequireFloat32("Upsample", input);
        if (input.Rank != 4 || (size is null) == (scaleFactor is null) || scaleFactor is <= 0 || size is { H: <= 0 } or { W: <= 0 })
        {
            throw new ArgumentException($"Upsample: input {Shapes.Format(input.Dims)} must be [N, C, H, W], with either a positive size or a positive scale factor (not both).", nameof(input));
        }

        if (alignCorners && mode == UpsampleMode.Nearest)
        {
            throw new ArgumentException("Upsample: alignCorners applies to bilinear mode only, as in PyTorch.", nameof(alignCorners));
        }

        int inH = input.Dims[2], inW = input.Dims[3];
        var outH = size?.H ?? (int)Math.Floor(inH * scaleFactor!.Value);
        var outW = size?.W ?? (int)Math.Floor(inW * scaleFactor!.Value);
        double Scale(int i, int o) => alignCorners ? (o > 1 ? (i - 1) / (double)(o - 1) : 0) : scaleFactor is { } f ? 1 / f : i / (double)o;
        var bilinear = mode == UpsampleMode.Bilinear;
        var rows = Resample.Axis(inH, outH, Scale(inH, outH), bilinear, alignCorners);
        var cols = Resample.Axis(inW, outW, Scale(inW, outW), bilinear, alignCorners);
        var planes = input.Dims[0] * input.Dims[1];
        var result = NewOutput([input.Dims[0], input.Dims[1], outH, outW]);
        Resample.Forward(input.Data, result.Data, planes, inH, inW, rows, cols);
        if (NeedsGrad(input))
        {
            result.Record("Upsample", [input], dy =>
            {
                var dx = RentZeroedGradArray(input.Numel);
                Resample.Backward(dy, dx, planes, inH, inW, rows, cols);
                input.DepositGrad(dx, input.Dims, owned: true);
            });
        }

        return result;
    }
}
