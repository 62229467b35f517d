using Backprop.Kernels;

namespace Backprop;

/// <summary>
/// A float32, row-major, n-dimensional array that can record the operations applied to it, so that
/// <see cref="Backward()"/> can send gradients back to every tensor that asked for one.
/// </summary>
public partial class Tensor
{
    internal readonly int[] Dims;
    private readonly float[] _data;

    /// <summary>Counts in-place changes to the storage; a view reads and bumps its base's.</summary>
    private int _version;

    /// <summary>For a view (a reshape, a detached tensor, a parameter), the tensor that owns the storage it shares.</summary>
    private readonly Tensor? _base;

    /// <summary>True once a <see cref="TensorScope"/> gave this tensor's storage back to the pool.</summary>
    private bool _released;

    /// <summary>Wraps an array as a tensor without copying. The caller gives up the array.</summary>
    internal Tensor(float[] data, int[] dims)
    {
        _data = data;
        Dims = dims;
    }

    /// <summary>A view: the same storage and version counter as <paramref name="viewOf"/>, with its own shape.</summary>
    private protected Tensor(Tensor viewOf, int[] dims)
    {
        _data = viewOf.Data;
        Dims = dims;
        _base = viewOf._base ?? viewOf;
    }

    /// <summary>How many in-place changes the storage has seen (shared by a tensor and its views), so that backward can tell when a value it saved was overwritten.</summary>
    internal int Version => StorageOwner._version;

    /// <summary>Records one in-place change of the storage.</summary>
    internal void BumpVersion() => StorageOwner._version++;

    /// <summary>The elements, row-major. Throws once the storage went back to the pool with its scope.</summary>
    internal float[] Data => IsReleased ? throw ReleasedError() : _data;

    /// <summary>The size of each dimension (a copy; an empty array for a scalar).</summary>
    public int[] Shape => (int[])Dims.Clone();

    /// <summary>The number of dimensions.</summary>
    public int Rank => Dims.Length;

    /// <summary>The number of elements.</summary>
    public int Numel => _data.Length;

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
            BumpVersion();
        }
    }

    /// <summary>Opens a <see cref="TensorScope"/> on this thread: the op outputs made until it is disposed reuse pooled storage.</summary>
    /// <returns>The scope; dispose it (a using statement) to release its tensors.</returns>
    public static TensorScope NewScope() => new();

    /// <summary>True once the <see cref="TensorScope"/> this tensor (or the tensor it views) was made in has been disposed.</summary>
    public bool IsReleased => _released || (_base is not null && _base._released);

    /// <summary>Formats the tensor like PyTorch's printout: nested brackets, aligned numbers.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => IsReleased ? $"tensor(released, shape {Shapes.Format(Dims)})" : TensorFormatter.Format(this);

    /// <summary>
    /// A new tensor of shape <paramref name="dims"/> for an op's output, with undefined contents (or zeros
    /// with <paramref name="zeroed"/>), its storage taken from the pool when the pool has an array of that
    /// length (one a disposed <see cref="TensorScope"/> gave back). Inside a scope the tensor belongs to it
    /// and its storage goes back to the pool when the scope is disposed.
    /// </summary>
    internal static Tensor NewOutput(int[] dims, bool zeroed = false)
    {
        var length = Shapes.Numel(dims);
        var tensor = new Tensor(zeroed ? BufferPool<float>.RentZeroed(length) : BufferPool<float>.Rent(length), dims);
        TensorScope.Current?.Add(tensor);
        return tensor;
    }

    /// <summary>Gives this tensor's storage back to the pool (a view only marks itself); it refuses every use afterwards.</summary>
    internal void Release()
    {
        if (_released)
        {
            return;
        }

        _released = true;
        if (_base is null)
        {
            BufferPool<float>.Return(_data);
        }
    }

    /// <summary>The tensor that owns this one's storage: its base for a view, else itself.</summary>
    internal Tensor StorageOwner => _base ?? this;

    private InvalidOperationException ReleasedError() => new(
        $"The tensor of shape {Shapes.Format(Dims)} was made inside a TensorScope that has been disposed, and its storage went back to the pool. " +
        "Use it before the scope ends, or keep it with scope.Keep(tensor).");

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
