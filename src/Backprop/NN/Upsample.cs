namespace Backprop.NN;

/// <summary>Resizes images, as torch.nn.Upsample: to a size or by a scale factor, nearest or bilinear (<see cref="Tensor.Upsample"/>).</summary>
public sealed class Upsample : Module<Tensor, Tensor>
{
    /// <summary>Makes the layer; give <paramref name="size"/> or <paramref name="scaleFactor"/>.</summary>
    /// <param name="size">The output's height and width.</param>
    /// <param name="scaleFactor">The factor along height and width.</param>
    /// <param name="mode">Nearest or bilinear.</param>
    /// <param name="alignCorners">Bilinear only: align the corner pixels.</param>
    public Upsample(Size2? size = null, double? scaleFactor = null, UpsampleMode mode = UpsampleMode.Nearest, bool alignCorners = false)
    {
        if ((size is null) == (scaleFactor is null))
        {
            throw new ArgumentException("Upsample: give either a size or a scale factor.", nameof(size));
        }

        (Size, ScaleFactor, Mode, AlignCorners) = (size, scaleFactor, mode, alignCorners);
    }

    /// <summary>The output's height and width, or null.</summary>
    public Size2? Size { get; }

    /// <summary>The scale factor, or null.</summary>
    public double? ScaleFactor { get; }

    /// <summary>Nearest or bilinear.</summary>
    public UpsampleMode Mode { get; }

    /// <summary>Whether bilinear sampling aligns the corner pixels.</summary>
    public bool AlignCorners { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Tensor.Upsample(input, Size, ScaleFactor, Mode, AlignCorners);

    /// <inheritdoc/>
    public override string ToString() =>
        $"Upsample({(Size is { } s ? $"size={s}" : $"scale_factor={PyText.Of(ScaleFactor!.Value)}")}, mode='{Mode.ToString().ToLowerInvariant()}')";
}
