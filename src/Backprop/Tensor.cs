using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Backprop.Kernels;

namespace Backprop;

/// <summary>
/// A row-major, n-dimensional array of one <see cref="Backprop.DType"/> (float32 by default) that can record
/// the operations applied to it, so that <see cref="Backward()"/> can send gradients back to every tensor
/// that asked for one.
/// </summary>
/// <remarks>
/// The storage is one managed array of the dtype's element type (float[], double[], long[] or bool[]) on
/// <see cref="Device.Cpu"/>. Ops reach it through <see cref="Data"/> (the float32 fast path) or
/// <see cref="Storage{T}"/>, and make their outputs through <see cref="NewOutput(int[], bool)"/>, so the
/// storage is reached in one place per dtype.
/// </remarks>
public partial class Tensor
{
    internal readonly int[] Dims;

    /// <summary>The elements: a float[], double[], long[] or bool[] as <see cref="_dtype"/> says (replaced only by <see cref="ConvertInPlace"/>).</summary>
    private Array _storage;

    /// <summary>The same array as <see cref="_storage"/> when the dtype is Float32 and the tensor is not a strided view (whose copy may need gathering first), else null: the fast path's one load.</summary>
    private float[]? _floats;
    private DType _dtype;

    /// <summary>Counts in-place changes to the storage; a view reads and bumps its base's.</summary>
    private int _version;

    /// <summary>For a view (a reshape, a detached tensor, a parameter), the tensor that owns the storage it shares.</summary>
    private Tensor? _base;

    /// <summary>True once a <see cref="TensorScope"/> gave this tensor's storage back to the pool.</summary>
    private bool _released;

    /// <summary>Wraps an array as a tensor without copying. The caller gives up the array.</summary>
    internal Tensor(float[] data, int[] dims)
        : this(data, DType.Float32, dims)
    {
    }

    /// <summary>Wraps an array of the dtype's element type without copying. The caller gives up the array.</summary>
    private Tensor(Array storage, DType dtype, int[] dims)
    {
        _storage = storage;
        _floats = storage as float[];
        _dtype = dtype;
        Dims = dims;
    }

    /// <summary>
    /// A view: the same storage and version counter as <paramref name="viewOf"/>, with its own shape. A view of a
    /// strided view is strided too, sharing its row-major copy; its shape must be one
    /// <see cref="Strided.ViewStrides"/> can reach (<see cref="Reshape"/> copies first when it cannot).
    /// </summary>
    private protected Tensor(Tensor viewOf, int[] dims)
    {
        _storage = viewOf.RawStorage;
        _floats = viewOf._floats;
        _dtype = viewOf._dtype;
        Dims = dims;
        _base = viewOf._base ?? viewOf;
        if (viewOf.StridedLayout is { } layout)
        {
            var strides = Strided.ViewStrides(viewOf.Dims, layout.Strides, dims)
                ?? throw new InvalidOperationException($"unreachable: a strided view of shape {Shapes.Format(viewOf.Dims)} cannot be viewed as {Shapes.Format(dims)}");
            StridedLayout = new ViewLayout(layout.Offset, strides, layout.SyncedVersion, layout.CopyOwner, layout.Leaf);
        }
    }

    /// <summary>How many in-place changes the storage has seen (shared by a tensor and its views), so that backward can tell when a value it saved was overwritten.</summary>
    internal int Version => StorageOwner._version;

    /// <summary>Records one in-place change of the storage; a strided view first writes its elements back to its base's storage.</summary>
    internal void BumpVersion()
    {
        var owner = StorageOwner;
        if (StridedLayout is { } layout)
        {
            Strided.Scatter(_storage, owner._storage, layout.Offset, layout.Strides, Dims);
            layout.SyncedVersion = owner._version + 1;
        }

        owner._version++;
    }

    /// <summary>The element type.</summary>
    public DType DType => _dtype;

    /// <summary>Where the storage lives: <see cref="Device.Cpu"/>.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822:Mark members as static", Justification = "Per tensor once a second device exists.")]
    public Device Device => Device.Cpu;

    /// <summary>
    /// The float32 elements, row-major: the storage every float op reads and writes. Throws for another dtype,
    /// and once the storage went back to the pool with its scope.
    /// </summary>
    internal float[] Data
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            var data = _floats;
            if (data is null || IsReleased)
            {
                return ViewOrThrow<float>();
            }

            return data;
        }
    }

    /// <summary>The elements as an array of <typeparamref name="T"/>, which must be this tensor's element type.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal T[] Storage<T>()
        where T : unmanaged
    {
        if (_storage is not T[] data || StridedLayout is not null || IsReleased)
        {
            return ViewOrThrow<T>();
        }

        return data;
    }

    /// <summary>The slow path of the storage accessors: a strided view's elements gathered again if its base changed, or the error.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private T[] ViewOrThrow<T>()
        where T : unmanaged
    {
        if (_storage is not T[] data || IsReleased)
        {
            ThrowStorageError(DTypes.Of<T>());
            return null!;
        }

        SyncView();
        return data;
    }

    /// <summary>Gathers a strided view's elements again from its base's storage when the base changed since the last gather.</summary>
    private void SyncView()
    {
        if (StridedLayout is { } layout && layout.SyncedVersion != _base!._version)
        {
            Strided.Gather(_base._storage, layout.Offset, layout.Strides, Dims, _storage);
            layout.SyncedVersion = _base._version;
        }
    }

    /// <summary>The elements, whatever the dtype, for ops that only move them (copies, gathers, permutations).</summary>
    internal Array RawStorage
    {
        get
        {
            if (IsReleased)
            {
                throw ReleasedError();
            }

            SyncView();
            return _storage;
        }
    }

    /// <summary>The size of each dimension (a copy; an empty array for a scalar).</summary>
    public int[] Shape => (int[])Dims.Clone();

    /// <summary>The number of dimensions.</summary>
    public int Rank => Dims.Length;

    /// <summary>The number of elements.</summary>
    public int Numel => _storage.Length;

    /// <summary>The size of one dimension; negative dimensions count from the end.</summary>
    /// <param name="dim">The dimension.</param>
    /// <returns>Its size.</returns>
    public int Size(int dim) => Dims[Shapes.NormalizeDim("Size", dim, Dims.Length)];

    /// <summary>The elements of a float32 tensor, read-only, in row-major order, without copying.</summary>
    public ReadOnlySpan<float> Span => Data;

    /// <summary>The elements, read-only, in row-major order, without copying.</summary>
    /// <typeparam name="T">The element type of this tensor's dtype: float, double, long or bool.</typeparam>
    /// <returns>The span.</returns>
    public ReadOnlySpan<T> AsSpan<T>()
        where T : unmanaged => Storage<T>();

    /// <summary>Copies the elements of a float32 tensor into a new array in row-major order.</summary>
    /// <returns>The copy.</returns>
    public float[] ToArray() => (float[])Data.Clone();

    /// <summary>Copies the elements into a new array in row-major order.</summary>
    /// <typeparam name="T">The element type of this tensor's dtype: float, double, long or bool.</typeparam>
    /// <returns>The copy.</returns>
    public T[] ToArray<T>()
        where T : unmanaged => (T[])Storage<T>().Clone();

    /// <summary>The value of a one-element tensor, converted to float whatever the dtype (true is 1).</summary>
    /// <returns>The value.</returns>
    public float Item()
    {
        if (_storage is float[] { Length: 1 } data && StridedLayout is null && !IsReleased)
        {
            return data[0];
        }

        CheckOneElement();
        return (float)ElementAsDouble(0);
    }

    /// <summary>The value of a one-element tensor, in its own element type.</summary>
    /// <typeparam name="T">The element type of this tensor's dtype: float, double, long or bool.</typeparam>
    /// <returns>The value.</returns>
    public T Item<T>()
        where T : unmanaged
    {
        var data = Storage<T>();
        CheckOneElement();
        return data[0];
    }

    /// <summary>Reads or writes one element, converted to and from float whatever the dtype. Writing counts as an in-place change.</summary>
    /// <param name="index">One index per dimension; negative indices count from the end.</param>
    [System.Runtime.CompilerServices.IndexerName("Element")]
    public float this[params int[] index]
    {
        get => (float)ElementAsDouble(FlatIndex(index));
        set
        {
            var flat = FlatIndex(index);
            CheckInPlace("indexer set");
            SetElement(RawStorage, flat, value);
            if (StridedLayout is { } layout)
            {
                // One element changed: write it to its place in the base, not the whole view back.
                var owner = _base!;
                var place = layout.Offset;
                for (var i = 0; i < index.Length; i++)
                {
                    place += (index[i] < 0 ? index[i] + Dims[i] : index[i]) * layout.Strides[i];
                }

                SetElement(owner._storage, place, value);
                layout.SyncedVersion = ++owner._version;
                return;
            }

            BumpVersion();
        }
    }

    /// <summary>Opens a <see cref="TensorScope"/> on this thread: the op outputs made until it is disposed reuse pooled storage.</summary>
    /// <returns>The scope; dispose it (a using statement) to release its tensors.</returns>
    public static TensorScope NewScope() => new();

    /// <summary>True once the <see cref="TensorScope"/> this tensor (or the tensor it views) was made in has been disposed.</summary>
    public bool IsReleased => _released || (_base is not null && _base._released) || (StridedLayout is not null && StridedLayout.CopyOwner._released);

    /// <summary>Formats the tensor like PyTorch's printout: nested brackets, aligned numbers.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => IsReleased ? $"tensor(released, shape {Shapes.Format(Dims)})" : TensorFormatter.Format(this);

    /// <summary>
    /// A new tensor of shape <paramref name="dims"/> for an op's output, with undefined contents (or zeros
    /// with <paramref name="zeroed"/>), its storage taken from the pool when the pool has an array of that
    /// length (one a disposed <see cref="TensorScope"/> gave back). Inside a scope the tensor belongs to it
    /// and its storage goes back to the pool when the scope is disposed.
    /// </summary>
    internal static Tensor NewOutput(int[] dims, bool zeroed = false) => NewOutput<float>(dims, zeroed);

    /// <summary><see cref="NewOutput(int[], bool)"/> for the dtype whose element type is <typeparamref name="T"/>.</summary>
    internal static Tensor NewOutput<T>(int[] dims, bool zeroed = false)
        where T : unmanaged
    {
        var length = Shapes.Numel(dims);
        var tensor = new Tensor(zeroed ? BufferPool<T>.RentZeroed(length) : BufferPool<T>.Rent(length), DTypes.Of<T>(), dims);
        TensorScope.Current?.Add(tensor);
        return tensor;
    }

    /// <summary><see cref="NewOutput(int[], bool)"/> for any dtype.</summary>
    internal static Tensor NewOutput(int[] dims, DType dtype, bool zeroed = false) => dtype switch
    {
        DType.Float32 => NewOutput<float>(dims, zeroed),
        DType.Float64 => NewOutput<double>(dims, zeroed),
        DType.Int64 => NewOutput<long>(dims, zeroed),
        DType.Bool => NewOutput<bool>(dims, zeroed),
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), $"{(int)dtype} is not a dtype."),
    };

    /// <summary>Wraps an array of <typeparamref name="T"/> as a tensor of its dtype without copying. The caller gives up the array.</summary>
    internal static Tensor Wrap<T>(T[] data, int[] dims)
        where T : unmanaged => new(data, DTypes.Of<T>(), dims);

    /// <summary>Gives this tensor's storage back to the pool (a view only marks itself); it refuses every use afterwards.</summary>
    internal void Release()
    {
        if (_released)
        {
            return;
        }

        _released = true;
        if (_base is null || StridedLayout?.CopyOwner == this)
        {
            switch (_storage)
            {
                case float[] f:
                    BufferPool<float>.Return(f);
                    break;
                case double[] d:
                    BufferPool<double>.Return(d);
                    break;
                case long[] l:
                    BufferPool<long>.Return(l);
                    break;
                case bool[] b:
                    BufferPool<bool>.Return(b);
                    break;
            }
        }
    }

    /// <summary>
    /// Gives a leaf (a parameter or a buffer) new storage of <paramref name="dtype"/> holding its values converted, as
    /// PyTorch's module.to(dtype) replaces param.data: the tensor object stays, so a module's fields and registrations
    /// still hold it; it no longer shares storage with what it was a view of, and its gradient is dropped.
    /// </summary>
    internal void ConvertInPlace(DType dtype)
    {
        if (GradFn is not null)
        {
            throw new InvalidOperationException($"To({dtype.Name()}): only a leaf tensor (a parameter or a buffer) converts in place; this {_dtype.Name()} {Shapes.Format(Dims)} tensor is the output of '{GradFn.Op}'.");
        }

        if (dtype == _dtype)
        {
            return;
        }

        // A new array rather than an op output: a TensorScope must not take it back.
        Array converted = dtype switch
        {
            DType.Float32 => new float[Numel],
            DType.Float64 => new double[Numel],
            DType.Int64 => new long[Numel],
            DType.Bool => new bool[Numel],
            _ => throw new ArgumentOutOfRangeException(nameof(dtype), $"To: {(int)dtype} is not a dtype."),
        };
        Conversion.Convert(RawStorage, converted);
        _storage = converted;
        _floats = converted as float[];
        _dtype = dtype;
        _base = null;
        StridedLayout = null;
        Grad = null;
        BumpVersion();
    }

    /// <summary>The tensor that owns this one's storage: its base for a view, else itself.</summary>
    internal Tensor StorageOwner => _base ?? this;

    private InvalidOperationException ReleasedError() => new(
        $"The tensor of shape {Shapes.Format(Dims)} was made inside a TensorScope that has been disposed, and its storage went back to the pool. " +
        "Use it before the scope ends, or keep it with scope.Keep(tensor).");

    /// <summary>
    /// The error for reading the storage as <paramref name="wanted"/>: either the storage is released, or the
    /// tensor has another dtype, which names both and the conversion that helps.
    /// </summary>
    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowStorageError(DType wanted) => throw (IsReleased
        ? ReleasedError()
        : new NotSupportedException(
            $"This operation needs a {wanted.Name()} tensor, but the tensor of shape {Shapes.Format(Dims)} is {_dtype.Name()}. " +
            $"Convert it with To(DType.{wanted})."));

    /// <summary>Element <paramref name="flat"/> as a double, whatever the dtype (true is 1).</summary>
    internal double ElementAsDouble(int flat) => RawStorage switch
    {
        float[] f => f[flat],
        double[] d => d[flat],
        long[] l => l[flat],
        bool[] b => b[flat] ? 1 : 0,
        _ => throw new InvalidOperationException("unreachable: unknown storage"),
    };

    private static void SetElement(Array storage, int flat, double value)
    {
        switch (storage)
        {
            case float[] f:
                f[flat] = (float)value;
                break;
            case double[] d:
                d[flat] = value;
                break;
            case long[] l:
                l[flat] = checked((long)value);
                break;
            case bool[] b:
                b[flat] = value != 0;
                break;
        }
    }

    private void CheckOneElement()
    {
        if (Numel != 1)
        {
            throw new InvalidOperationException($"Item: the tensor has shape {Shapes.Format(Dims)} ({Numel} elements); only a one-element tensor has an item.");
        }
    }

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
