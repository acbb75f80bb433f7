# Independent check of SegmentedRegressionTests (California Proposition 99, Linden 2015): python3 prop99_newey_west.py
# Plain-Python OLS + Newey-West (Bartlett, lag 1, no small-sample adjustment as Stata newey) for Linden's Prop 99 example.
y=[123,121,123.5,124.4000015,126.6999969,127.0999985,128,126.4000015,126.0999985,121.9000015,120.1999969,118.5999985,115.4000015,110.8000031,104.8000031,102.8000031,99.69999695,97.5,90.09999847,82.40000153,77.80000305,68.69999695,67.5,63.40000153,58.59999847,56.40000153,54.5,53.79999924,52.29999924,47.20000076,41.59999847]
n=len(y); X=[[1.0,t,1.0 if t>=19 else 0.0,(t-19.0) if t>=19 else 0.0] for t in range(n)]
k=4
def inv(A):
    m=len(A); M=[row[:]+[1.0 if i==j else 0.0 for j in range(m)] for i,row in enumerate(A)]
    for c in range(m):
        p=max(range(c,m),key=lambda r:abs(M[r][c])); M[c],M[p]=M[p],M[c]
        d=M[c][c]; M[c]=[v/d for v in M[c]]
        for r in range(m):
            if r!=c:
                f=M[r][c]; M[r]=[a-f*b for a,b in zip(M[r],M[c])]
    return [row[m:] for row in M]
XtX=[[sum(X[i][a]*X[i][b] for i in range(n)) for b in range(k)] for a in range(k)]
Xty=[sum(X[i][a]*y[i] for i in range(n)) for a in range(k)]
B=inv(XtX); beta=[sum(B[a][b]*Xty[b] for b in range(k)) for a in range(k)]
e=[y[i]-sum(X[i][a]*beta[a] for a in range(k)) for i in range(n)]
L=1
S=[[sum(e[i]**2*X[i][a]*X[i][b] for i in range(n)) for b in range(k)] for a in range(k)]
for l in range(1,L+1):
    w=1-l/(L+1)
    for a in range(k):
        for b in range(k):
            S[a][b]+=w*sum(e[i]*e[i-l]*(X[i][a]*X[i-l][b]+X[i-l][a]*X[i][b]) for i in range(l,n))
V=[[sum(B[a][c]*S[c][d]*B[d][b] for c in range(k) for d in range(k)) for b in range(k)] for a in range(k)]
scale=n/(n-k)  # Stata newey: n/(n-k)
for name,b,i in zip(["_cons","_t","_x1989","_x_t1989"],beta,range(4)):
    print(f"{name:10s} {b:12.6f}  se(NW, n/(n-k)) {(V[i][i]*scale)**0.5:.6f}  se(NW raw) {V[i][i]**0.5:.6f}")
print("post trend", beta[1]+beta[3], "counterfactual 1989", beta[0]+19*beta[1])
