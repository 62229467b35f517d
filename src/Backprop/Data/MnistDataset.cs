using System.Numerics.Tensors;

namespace Backprop.Data;

/// <summary>
/// MNIST-style images kept as their bytes and scaled to [0, 1] only when a batch is drawn, as torchvision's
/// MNIST keeps uint8 images and converts each sample: start-up skips turning every pixel into a float, and
/// the set holds a quarter of the memory. Batches are inputs [B, rows × columns] and int64 class targets [B].
/// </summary>
public sealed class MnistDataset : Dataset
{
    private readonly ReadOnlyMemory<byte> _pixels;
    private Tensor? _inputs;

    internal MnistDataset(ReadOnlyMemory<byte> pixels, Tensor targets, int rows, int columns)
    {
        _pixels = pixels;
        Targets = targets;
        Rows = rows;
        Columns = columns;
    }

    /// <summary>The height of each image.</summary>
    public int Rows { get; }

    /// <summary>The width of each image.</summary>
    public int Columns { get; }

    /// <summary>The number of inputs per sample, <see cref="Rows"/> × <see cref="Columns"/>.</summary>
    public int Features => Rows * Columns;

    /// <summary>The pixels as stored, one byte each, row-major [N, rows, columns].</summary>
    public ReadOnlyMemory<byte> Pixels => _pixels;

    /// <summary>The targets [N]: the class of each image as an int64 index.</summary>
    public Tensor Targets { get; }

    /// <summary>
    /// Every image as floats in [0, 1], [N, rows × columns]: made on first use and kept, for evaluating a whole
    /// set in one pass. Training draws batches instead.
    /// </summary>
    public Tensor Inputs => _inputs ??= Tensor.Wrap(Scaled(_pixels.Span), [Count, Features]);

    /// <inheritdoc/>
    public override int Count => Targets.Size(0);

    /// <inheritdoc/>
    public override Batch GetBatch(int[] indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        var features = Features;
        var input = Tensor.NewOutput([indices.Length, features]);
        var pixels = _pixels.Span;
        var destination = input.Data.AsSpan();
        for (var i = 0; i < indices.Length; i++)
        {
            if ((uint)indices[i] >= (uint)Count)
            {
                throw new ArgumentOutOfRangeException(nameof(indices), $"MnistDataset.GetBatch: index {indices[i]} is out of range for {Count} images.");
            }

            Scale(pixels.Slice(indices[i] * features, features), destination.Slice(i * features, features));
        }

        return new Batch(input, Targets.IndexSelect(0, indices));
    }

    /// <summary>The first <paramref name="count"/> images (all when there are fewer), sharing these bytes.</summary>
    /// <param name="count">How many images to keep.</param>
    /// <returns>The smaller dataset.</returns>
    public MnistDataset Take(int count)
    {
        var n = Math.Clamp(count, 0, Count);
        return new MnistDataset(_pixels[..(n * Features)], Targets.Narrow(0, 0, n), Rows, Columns);
    }

    private static float[] Scaled(ReadOnlySpan<byte> pixels)
    {
        var scaled = GC.AllocateUninitializedArray<float>(pixels.Length);
        Scale(pixels, scaled);
        return scaled;
    }

    /// <summary>Each byte b as b / 255 (times the float 1/255, the same value in every path).</summary>
    private static void Scale(ReadOnlySpan<byte> pixels, Span<float> scaled)
    {
        TensorPrimitives.ConvertTruncating(pixels, scaled);
        TensorPrimitives.Multiply(scaled, 1f / 255f, scaled);
    }
}
