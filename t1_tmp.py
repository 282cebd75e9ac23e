from derive.usermodule import load
from derive.claim import check_module
import sys
m=load(sys.argv[1])
for line in sys.argv[2:]:
    w,f=line.split(':',1)
    r=check_module(m,w,f)
    print(r.verdict, r.diagnosis, r.factor, '|', r.message); print('  ', [x.text for x in r.readings], '|', r.correct)
    if r.departs: print('  ', r.departs.text())
