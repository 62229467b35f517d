using Backprop.Autograd;
using Backprop.Kernels;

namespace Backprop;

/// <summary>
/// A float32, row-major, n-dimensional array that can record the operations applied to it, so that
/// <see cref="Backward()"/> can send gradients back to every tensor that asked for one.
/// </summary>
public partial class Tensor
{
    internal readonly int[] Dims;
    internal readonly float[] Data;
    internal readonly VersionCounter Version;

    /// <summary>Wraps an array as a tensor without copying. The caller gives up the array.</summary>
    internal Tensor(float[] data, int[] dims, VersionCounter? version = null)
    {
        Data = data;
        Dims = dims;
        Version = version ?? new VersionCounter();
    }

    /// <summary>The size of each dimension (a copy; an empty array for a scalar).</summary>
    public int[] Shape => (int[])Dims.Clone();

    /// <summary>The number of dimensions.</summary>
    public int Rank => Dims.Length;

    /// <summary>The number of elements.</summary>
    public int Numel => Data.Length;

    /// <summary>The size of one dimension; negative dimensions count from the end.</summary>
    /// <param name="dim">The dimension.</param>
    /// <returns>Its size.</returns>
    public int Size(int dim) => Dims[Shapes.NormalizeDim("Size", dim, Dims.Length)];

    /// <summary>The elements, read-only, in row-major order, without copying.</summary>
    public ReadOnlySpan<float> Span => Data;

    /// <summary>Copies the elements into a new array in row-major order.</summary>
    /// <returns>The copy.</returns>
    public float[] ToArray() => (float[])Data.Clone();

    /// <summary>The value of a one-element tensor.</summary>
    /// <returns>The value.</returns>
    public float Item()
    {
        if (Data.Length != 1)
        {
            throw new InvalidOperationException($"Item: the tensor has shape {Shapes.Format(Dims)} ({Data.Length} elements); only a one-element tensor has an item.");
        }

        return Data[0];
    }

    /// <summary>Reads or writes one element. Writing counts as an in-place change.</summary>
    /// <param name="index">One index per dimension; negative indices count from the end.</param>
    [System.Runtime.CompilerServices.IndexerName("Element")]
    public float this[params int[] index]
    {
        get => Data[FlatIndex(index)];
        set
        {
            var flat = FlatIndex(index);
            CheckInPlace("indexer set");
            Data[flat] = value;
            Version.Bump();
        }
    }

    /// <summary>Formats the tensor like PyTorch's printout: nested brackets, aligned numbers.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => TensorFormatter.Format(this);

    private int FlatIndex(int[] index)
    {
        ArgumentNullException.ThrowIfNull(index);
        if (index.Length != Dims.Length)
        {
            throw new ArgumentException($"Indexer: {index.Length} indices given for a tensor of shape {Shapes.Format(Dims)}.", nameof(index));
        }

        var flat = 0;
        for (var i = 0; i < index.Length; i++)
        {
            var k = index[i] < 0 ? index[i] + Dims[i] : index[i];
            if (k < 0 || k >= Dims[i])
            {
                throw new ArgumentOutOfRangeException(nameof(index), $"Indexer: index {index[i]} is out of range for dimension {i} of size {Dims[i]} (shape {Shapes.Format(Dims)}).");
            }

            flat = (flat * Dims[i]) + k;
        }

        return flat;
    }
}
