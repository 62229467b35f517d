using Backprop.Autograd;
using Backprop.Kernels;

namespace Backprop;

public partial class Tensor
{
    /// <summary>
    /// The step in the storage between neighbouring elements of each dimension (torch.Tensor.stride()): row-major
    /// for a tensor that owns its storage or reshapes one, the base's steps for a slice.
    /// </summary>
    public int[] Strides => StridedLayout is { } layout ? (int[])layout.Strides.Clone() : Shapes.Strides(Dims);

    /// <summary>Where the first element sits in the storage this tensor shares (torch.Tensor.storage_offset()): 0 unless it is a slice.</summary>
    public int StorageOffset => StridedLayout?.Offset ?? 0;

    /// <summary>
    /// Whether the elements lie in the storage in row-major order without gaps (torch.Tensor.is_contiguous()): true
    /// except for a view that skips elements, such as a column slice or a slice with a step.
    /// </summary>
    public bool IsContiguous => StridedLayout is not { } layout || Strided.IsContiguous(Dims, layout.Strides);

    /// <summary>Whether this tensor shares its storage with another one (a reshape, a slice, a detached tensor), so that writing into either changes both.</summary>
    public bool IsView => _base is not null;

    /// <summary>The row-major copy owned by a strided view, which its reshapes share (null for any other tensor).</summary>
    internal Tensor? ViewCopyOwner => StridedLayout?.CopyOwner;

    /// <summary>
    /// This tensor if <see cref="IsContiguous"/>, else a row-major copy of it (torch.Tensor.contiguous()), which no
    /// longer shares storage. Differentiable.
    /// </summary>
    /// <returns>A contiguous tensor with the same values.</returns>
    public Tensor Contiguous() => IsContiguous ? this : Clone();

    /// <summary>
    /// A view of this tensor's elements as PyTorch's basic indexing makes one: along each dimension d,
    /// <paramref name="sizes"/>[d] indices from <paramref name="starts"/>[d] in steps of <paramref name="steps"/>[d];
    /// the dimensions where <paramref name="keep"/> is false (an integer index) are removed. The result shares the
    /// storage: writing into it changes this tensor, and it sees this tensor's changes. The gradient scatters back.
    /// </summary>
    private Tensor BasicView(string op, int[] starts, int[] sizes, int[] steps, bool[] keep)
    {
        if (IsReleased)
        {
            throw ReleasedError();
        }

        var owner = StorageOwner;
        var rowMajor = Shapes.Strides(Dims);
        var (offset, ownerStrides) = StridedLayout is { } layout ? (layout.Offset, layout.Strides) : (0, rowMajor);
        var rank = keep.Count(k => k);
        var (dims, strides, ownStrides) = (new int[rank], new int[rank], new int[rank]);
        var ownOffset = 0;
        for (int d = 0, j = 0; d < Rank; d++)
        {
            offset += starts[d] * ownerStrides[d];
            ownOffset += starts[d] * rowMajor[d];
            if (keep[d])
            {
                (dims[j], strides[j], ownStrides[j]) = (sizes[d], steps[d] * ownerStrides[d], steps[d] * rowMajor[d]);
                j++;
            }
        }

        var result = NewOutput(dims, _dtype);
        var storage = owner.RawStorage;
        Strided.Gather(storage, offset, strides, dims, result._storage);
        result._base = owner;
        result._floats = null;
        result.StridedLayout = new ViewLayout(offset, strides, owner._version, result, _requiresGrad && GradFn is null ? this : StridedLayout?.Leaf);
        if (NeedsGrad(this))
        {
            RecordTake(result, op, Strided.Positions(ownOffset, ownStrides, dims), graph: null);
        }

        return result;
    }

    /// <summary>The in-place check a view adds: a view of a leaf that requires grad changes that leaf.</summary>
    private void CheckViewInPlace(string op)
    {
        if (StridedLayout?.Leaf is { RequiresGrad: true } leaf && GradMode.IsEnabled)
        {
            throw new InvalidOperationException($"{op}: the tensor of shape {Shapes.Format(Dims)} is a view of a leaf of shape {Shapes.Format(leaf.Dims)} that requires grad (a parameter?); change it in place only inside Tensor.NoGrad().");
        }
    }
}
